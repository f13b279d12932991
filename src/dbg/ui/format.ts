// Text helpers for the debugger's fixed-width panes: a line is a list of styled segments whose total
// length the builders keep to the pane width, so that Ink never wraps.
import type { TxArgs } from '../model/tx-store.js'

export interface Segment {
  text: string
  color?: string
  bold?: boolean
  dim?: boolean
  inverse?: boolean
  underline?: boolean
}

export type Line = Segment[]

export function seg(text: string, style: Omit<Segment, 'text'> = {}): Segment {
  return { text, ...style }
}

/** Pads or cuts `text` to exactly `width` columns (cut text ends with …). */
export function fitText(text: string, width: number): string {
  if (width <= 0) return ''
  if (text.length === width) return text
  if (text.length < width) return text + ' '.repeat(width - text.length)
  return width === 1 ? '…' : `${text.slice(0, width - 1)}…`
}

/** Cuts or pads a line of segments to exactly `width` columns. */
export function fitLine(line: Line, width: number): Line {
  const out: Line = []
  let used = 0
  for (const s of line) {
    if (used >= width) break
    const room = width - used
    if (s.text.length <= room) {
      out.push(s)
      used += s.text.length
    } else {
      out.push({ ...s, text: fitText(s.text, room) })
      used = width
    }
  }
  if (used < width) out.push({ text: ' '.repeat(width - used) })
  return out
}

/** Splits comma-separated items over lines of at most `width` columns. */
export function wrapList(items: readonly string[], width: number): string[] {
  if (items.length === 0) return ['—']
  const out: string[] = []
  let cur = ''
  for (const it of items) {
    const next = cur === '' ? it : `${cur}, ${it}`
    if (next.length > width && cur !== '') {
      out.push(`${cur},`)
      cur = it
    } else cur = next
  }
  if (cur !== '') out.push(cur)
  return out
}

const pad2 = (n: number): string => String(n).padStart(2, '0')

/** hh:mm:ss.mmm in UTC: logs from other machines and time zones read the same. */
export function clock(ms: number): string {
  if (!Number.isFinite(ms)) return '--:--:--.---'
  const d = new Date(ms)
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`
}

/** +1.234s, +2m03.4s */
export function offset(ms: number): string {
  if (!Number.isFinite(ms)) return ''
  const s = ms / 1000
  if (s < 60) return `+${s.toFixed(3)}s`
  const m = Math.floor(s / 60)
  return `+${m}m${(s - m * 60).toFixed(1).padStart(4, '0')}s`
}

export function duration(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`
  if (us < 1_000_000) return `${(us / 1000).toFixed(1)} ms`
  return `${(us / 1_000_000).toFixed(2)} s`
}

/** `k=v` pairs; `peer` and `from` values go through `peerName` (raw peer ids of older logs → machine ids). */
export function argsText(args: TxArgs | undefined, peerName?: (id: string) => string): string {
  const parts = argsParts(args, peerName)
  return parts.length > 0 ? parts.join(' ') : '—'
}

/** The `k=v` pairs of argsText, one string each. */
export function argsParts(args: TxArgs | undefined, peerName?: (id: string) => string): string[] {
  if (!args) return []
  const parts: string[] = []
  for (const k in args) {
    const v = args[k]
    const text =
      typeof v === 'string' ? ((k === 'peer' || k === 'from') && peerName ? peerName(v) : v) : JSON.stringify(v)
    parts.push(`${k}=${text}`)
  }
  return parts
}

/** Lines of at most `width` columns: items joined by spaces, an item longer than a line cut in pieces. */
export function wrapItems(items: readonly string[], width: number): string[] {
  if (items.length === 0) return ['—']
  const out: string[] = []
  let cur = ''
  for (const it of items) {
    const next = cur === '' ? it : `${cur} ${it}`
    if (next.length <= width) {
      cur = next
      continue
    }
    if (cur !== '') out.push(cur)
    cur = it
    while (cur.length > width) {
      out.push(cur.slice(0, width))
      cur = cur.slice(width)
    }
  }
  if (cur !== '') out.push(cur)
  return out
}

/** A slider like [=====>.........] of `width` columns for position i of n. */
export function slider(i: number, n: number, width: number): string {
  const inner = Math.max(1, width - 2)
  if (n <= 0) return `[${'.'.repeat(inner)}]`
  const at = Math.min(inner - 1, Math.max(0, Math.round((i / Math.max(1, n)) * (inner - 1))))
  return `[${'='.repeat(at)}>${'.'.repeat(inner - at - 1)}]`
}

/** A pane's title row: inverse when the pane has the focus. */
export function titleLine(text: string, focused: boolean): Line {
  return [seg(` ${text} `, focused ? { inverse: true, bold: true } : { bold: true, color: 'cyan' })]
}

/** First row to show so that row `sel` of `n` stays visible in `height` rows (kept near the middle). */
export function scrollTop(sel: number, n: number, height: number): number {
  if (n <= height || sel < 0) return 0
  return Math.max(0, Math.min(n - height, sel - Math.floor(height / 2)))
}

const FG: Record<string, number> = {
  black: 30,
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  white: 37,
  gray: 90,
}

/**
 * A line as text with SGR escapes. Panes hand Ink one pre-styled string each: Ink's cost grows with
 * the number of Text nodes, and a screen of per-segment nodes took longer than a step may.
 * Ink tokenizes every character and every escape it is given on every frame (that is most of a
 * step's time), so the string is kept short: unstyled trailing blanks are left out (Ink's output
 * grid starts blank), blanks carry no style that would not show (only inverse and underline show on
 * a blank), and neighbouring segments of the same style share one escape and one reset.
 */
export function styled(line: Line, color: boolean): string {
  let end = line.length
  while (end > 0 && isPlain(line[end - 1]!) && isBlank(line[end - 1]!.text)) end--
  let out = ''
  let open = '' // the SGR parameters in effect ('' = none)
  for (let i = 0; i < end; i++) {
    const s = line[i]!
    const text = i === end - 1 && isPlain(s) ? s.text.trimEnd() : s.text
    if (text === '') continue
    const codes = isPlain(s) && isBlank(text) ? '' : sgr(s, color)
    if (codes !== open) {
      if (open !== '') out += '\x1b[0m'
      if (codes !== '') out += `\x1b[${codes}m`
      open = codes
    }
    out += text
  }
  if (open !== '') out += '\x1b[0m'
  return out
}

/** The SGR parameters of a segment's style ('' when it has none). */
function sgr(s: Segment, color: boolean): string {
  let codes = ''
  const add = (n: number): void => {
    codes = codes === '' ? `${n}` : `${codes};${n}`
  }
  if (s.bold) add(1)
  if (s.dim && color) add(2)
  if (s.underline) add(4)
  if (s.inverse) add(7)
  if (s.color && color) {
    const c = FG[s.color]
    if (c !== undefined) add(c)
  }
  return codes
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== 32) return false
  return true
}

function isPlain(s: Segment): boolean {
  return !s.inverse && !s.underline
}
