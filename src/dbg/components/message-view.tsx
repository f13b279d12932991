// The message view (o, or psm dbg --msg ID): one message's path from its publisher, hop by hop — host,
// the peer it came from, time since publish, the hop's own time, first or duplicate, the transition it
// belongs to — the slowest hop highlighted, and the subscribers it never reached.
import type { Hop, MessagePath } from '../model/message-path.js'
import type { DbgModel } from '../model/model.js'
import { type Line, scrollTop, seg, titleLine } from '../ui/format.js'
import type { UiState } from '../ui/ui-state.js'
import { Lines } from './lines.js'

export interface MessageViewProps {
  model: DbgModel
  ui: UiState
  path: MessagePath | undefined
  width: number
  height: number
}

export function ms(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—'
  return x < 10 ? `${x.toFixed(1)}ms` : `${Math.round(x)}ms`
}

const MARK_COLOR: Record<string, string> = { publish: 'cyan', deliver: 'green', duplicate: 'yellow', reject: 'red' }
const MARK_TEXT: Record<string, string> = { publish: 'publish', deliver: 'first', duplicate: 'dup', reject: 'REJECT' }

function hopLine(model: DbgModel, h: Hop, selected: boolean, slowest: boolean): Line {
  const host = model.machines[h.machine]?.id ?? '?'
  const from = h.mark === 'publish' ? '' : h.from >= 0 ? (model.machines[h.from]?.id ?? '?') : (h.fromName ?? '?')
  const tx = h.g >= 0 ? model.eventAndSeq(h.g) : undefined
  const where = tx ? `${tx.event} #${tx.seq}` : h.g >= 0 ? 'dropped' : '—'
  const net = h.netMs !== undefined || h.queueMs !== undefined ? `  net ${ms(h.netMs)} queue ${ms(h.queueMs)}` : ''
  const style = selected ? { inverse: true } : {}
  return [
    seg(selected ? '▶ ' : '  ', style),
    seg(`${'  '.repeat(Math.min(h.depth, 12))}${h.depth > 0 ? '└ ' : ''}${host}`.padEnd(22), { ...style, bold: true }),
    seg(from ? ` ← ${from}`.padEnd(12) : ''.padEnd(12), style),
    seg(` +${ms(h.sincePublish)}`.padEnd(11), style),
    seg(` hop ${ms(h.hopMs)}`.padEnd(13), slowest ? { ...style, color: 'red', bold: true } : style),
    seg(` ${MARK_TEXT[h.mark] ?? h.mark}`.padEnd(9), { ...style, color: MARK_COLOR[h.mark] ?? 'white' }),
    // the marker before the transition: a narrow terminal cuts the end of the row
    ...(slowest ? [seg(' ◀ slowest hop', { color: 'red', bold: true })] : []),
    seg(` ${where}${net}${h.reason ? ` (${h.reason})` : ''}`, style),
  ]
}

/** Where the selected hop's time went: the sender's uplink queue, the network, and the rest (CPU, event loops). */
function attribution(model: DbgModel, h: Hop): Line {
  const host = model.machines[h.machine]?.id ?? '?'
  if (h.mark === 'publish') return [seg(` ${host} published it`, { dim: true })]
  if (h.hopMs === undefined) return [seg(` ${host}: the sender's own time is not in the log`, { dim: true })]
  if (h.netMs === undefined || h.queueMs === undefined) {
    return [
      seg(` hop ${ms(h.hopMs)} to ${host} (no network model: not split into queue / network / CPU)`, { dim: true }),
    ]
  }
  const rest = Math.max(0, h.hopMs - h.netMs - h.queueMs)
  return [
    seg(` hop ${ms(h.hopMs)} to ${host} = `),
    seg(`queue ${ms(h.queueMs)}`, { color: 'yellow' }),
    seg(' + '),
    seg(`network ${ms(h.netMs)}`, { color: 'cyan' }),
    seg(' + '),
    seg(`CPU / event loops ${ms(rest)}`, { color: 'magenta' }),
    seg(' (sender uplink queue, modelled link, the rest)', { dim: true }),
  ]
}

export function messageLines({ model, ui, path, width, height }: MessageViewProps): Line[] {
  if (!path) return [titleLine('message', true), [seg('no message open', { dim: true })]]
  const pub = path.publisher >= 0 ? (model.machines[path.publisher]?.id ?? '?') : 'not in the log'
  const lines: Line[] = [
    titleLine(`message ${path.id} on ${path.topic}`, true),
    [
      seg(` published by ${pub}`),
      seg(` · reached ${path.reached}/${path.expected} subscribers`),
      seg(` · 99% in ${ms(path.t99)} · all in ${ms(path.tAll)}`),
    ],
    [seg(' ↑/↓ move · s slowest hop · enter go to its transition · L late messages · esc back', { dim: true })],
    [
      seg(
        `   ${'host'.padEnd(20)}${' from'.padEnd(12)}${' since pub'.padEnd(11)}${' hop'.padEnd(13)} mark     transition`,
        { dim: true },
      ),
    ],
  ]
  const cur = path.hops[ui.msg?.row ?? 0]
  lines.push(cur ? attribution(model, cur) : [])
  const missedLines: Line[] = []
  if (path.missed.length > 0) {
    const names = path.missed.map((k) => {
      const t = model.machines[k]
      return t ? `${t.id}${t.stopped ? ' (stopped)' : ''}` : '?'
    })
    missedLines.push([seg(` missed (${path.missed.length}): `, { color: 'red', bold: true }), seg(names.join(', '))])
  } else if (path.expected > 0) missedLines.push([seg(' missed: none', { dim: true })])
  const room = Math.max(1, height - lines.length - missedLines.length)
  const sel = ui.msg?.row ?? 0
  const top = scrollTop(sel, path.hops.length, room)
  for (let i = top; i < Math.min(path.hops.length, top + room); i++) {
    lines.push(hopLine(model, path.hops[i]!, i === sel, i === path.slowest))
  }
  if (path.hops.length === 0) lines.push([seg(' no hop recorded', { dim: true })])
  while (lines.length < height - missedLines.length) lines.push([])
  void width
  return [...lines, ...missedLines]
}

export function MessageView(props: MessageViewProps) {
  return <Lines lines={messageLines(props)} width={props.width} height={props.height} />
}
