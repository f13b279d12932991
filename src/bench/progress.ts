// The bench's progress line on stderr: cells and runs done, failures so far, elapsed time and ETA.
// On a terminal one line is rewritten in place; in a log (CI) a line is written per finished cell.
import type { Progress } from './runner.js'

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`
}

export function formatProgress(p: Progress): string {
  const parts: string[] = []
  if (p.phase === 'warmup') parts.push(`warm-up ${p.warmupDone}/${p.warmup}`)
  parts.push(`cells ${p.cellsDone}/${p.cells}`, `runs ${p.runsDone}/${p.runs}`, `failures ${p.failures}`)
  parts.push(`elapsed ${formatDuration(p.elapsedMs)}`)
  if (p.phase !== 'done') parts.push(`ETA ${p.etaMs === undefined ? '?' : formatDuration(p.etaMs)}`)
  if (p.current) parts.push(`now ${p.current.impl} ${p.current.hosts} hosts × ${p.current.msgs} msgs`)
  return `bench: ${parts.join(' · ')}`
}

export interface ProgressSink {
  write(text: string): unknown
  isTTY?: boolean
}

export function progressPrinter(out: ProgressSink): (p: Progress) => void {
  let lastCells = -1
  let lastFailures = 0
  return (p) => {
    const line = formatProgress(p)
    if (out.isTTY) {
      out.write(`\r\x1b[K${line}${p.phase === 'done' ? '\n' : ''}`)
      return
    }
    // in a log: the first line, a line per finished cell, on each new failure, and at the end
    if (p.cellsDone !== lastCells || p.failures !== lastFailures || p.phase === 'done') {
      out.write(`${line}\n`)
      lastCells = p.cellsDone
      lastFailures = p.failures
    }
  }
}
