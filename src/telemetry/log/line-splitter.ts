// Splits a byte stream into lines (NDJSON), with a bound on line length so that a peer that never
// sends a newline cannot make us buffer without end.

export interface LineSplitterOptions {
  /** longest accepted line in bytes */
  maxLineBytes: number
  /** pass blank lines on too (a file reader reports them as malformed; the live socket skips them) */
  keepEmpty?: boolean
  onLine(text: string, line: number): void
  /** a line grew past maxLineBytes; the splitter stops */
  onOversize(line: number): void
}

export class LineSplitter {
  private carry: Buffer | undefined
  private line = 0
  private stopped = false

  constructor(private readonly opts: LineSplitterOptions) {}

  /** lines seen so far */
  get lines(): number {
    return this.line
  }

  push(chunk: Buffer): void {
    if (this.stopped) return
    let data = chunk
    let pos = 0
    if (this.carry) {
      const nl = chunk.indexOf(10)
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, chunk])
        if (this.carry.length > this.opts.maxLineBytes) this.oversize(this.line + 1)
        return
      }
      const head = Buffer.concat([this.carry, chunk.subarray(0, nl)])
      this.carry = undefined
      if (!this.emit(head, 0, head.length)) return
      pos = nl + 1
      data = chunk
    }
    for (;;) {
      const nl = data.indexOf(10, pos)
      if (nl < 0) break
      if (!this.emit(data, pos, nl)) return
      pos = nl + 1
    }
    if (pos < data.length) {
      // copy: the caller may reuse its buffer
      this.carry = Buffer.from(data.subarray(pos))
      if (this.carry.length > this.opts.maxLineBytes) this.oversize(this.line + 1)
    }
  }

  /** The stream ended: a last line without newline still counts. */
  end(): void {
    if (this.stopped || !this.carry) return
    const rest = this.carry
    this.carry = undefined
    this.emit(rest, 0, rest.length)
  }

  stop(): void {
    this.stopped = true
    this.carry = undefined
  }

  private emit(buf: Buffer, start: number, end: number): boolean {
    this.line++
    if (end - start > this.opts.maxLineBytes) {
      this.oversize(this.line)
      return false
    }
    let e = end
    if (e > start && buf[e - 1] === 13) e--
    if (e > start || this.opts.keepEmpty) this.opts.onLine(buf.toString('utf8', start, e), this.line)
    return !this.stopped
  }

  private oversize(line: number): void {
    this.stopped = true
    this.carry = undefined
    this.opts.onOversize(line)
  }
}
