// oar-p2p's latency matrix: N lines of N whitespace-separated one-way latencies in milliseconds; entry
// (i, j) is the delay from address i to address j (asymmetric matrices allowed). Host h uses row and
// column h mod N.
import { InputError } from '../../errors.js'

/** Parses a matrix file; throws InputError naming the file, line and problem. */
export function parseMatrix(text: string, file: string): number[][] {
  const rows: { line: number; values: number[] }[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i]!.replace(/#.*/, '').trim() // '#' starts a comment
    if (trimmed === '') continue
    const values = trimmed.split(/\s+/).map((word, col) => {
      const x = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(word) ? Number(word) : Number.NaN
      if (Number.isNaN(x))
        throw new InputError(`${file}:${i + 1}: column ${col + 1}: '${word}' is not a number of milliseconds`)
      if (x < 0) throw new InputError(`${file}:${i + 1}: column ${col + 1}: latency ${word} is negative`)
      return x
    })
    rows.push({ line: i + 1, values })
  }
  if (rows.length === 0) throw new InputError(`${file}: the latency matrix is empty`)
  for (const row of rows) {
    if (row.values.length !== rows.length) {
      throw new InputError(
        `${file}:${row.line}: the matrix is not square: ${rows.length} rows, but this row has ${row.values.length} values`,
      )
    }
  }
  return rows.map((r) => r.values)
}

/** The one-way latency from host `from` to host `to`. */
export function matrixLatency(ms: number[][], from: number, to: number): number {
  const n = ms.length
  return ms[from % n]![to % n]!
}
