// The transition pane: the selected machine's transition at the cursor (machine, seq, time, event,
// args, accepted or refused, added, removed, touched, duration) and the log lines it wrote.
import type { LogLine } from '../model/machine-track.js'
import type { DbgModel } from '../model/model.js'
import { argsParts, clock, duration, type Line, offset, seg, titleLine, wrapItems, wrapList } from '../ui/format.js'
import type { UiState } from '../ui/ui-state.js'
import { Lines } from './lines.js'

export interface TxPaneProps {
  model: DbgModel
  ui: UiState
  width: number
  height: number
}

const LABEL = 10

function field(label: string, values: string[], color?: string): Line[] {
  return values.map((v, i) => [
    seg((i === 0 ? label : '').padEnd(LABEL), { dim: true }),
    seg(v, color ? { color } : {}),
  ])
}

const MARK_COLOR: Record<string, string> = { publish: 'cyan', deliver: 'green', duplicate: 'yellow', reject: 'red' }

const LEVEL_COLOR: Record<string, string> = { error: 'red', warn: 'yellow', info: 'white', debug: 'gray' }

export function txPaneLines({ model, ui, width, height }: TxPaneProps): Line[] {
  const t = model.machines[ui.selected]
  const focused = ui.focus === 'tx'
  if (!t) return [titleLine('transition', focused)]
  const upTo = model.countUpTo(t, ui.cursor)
  const lines: Line[] = [titleLine(`tx ${upTo}/${t.total} of ${t.id}`, focused)]
  const w = Math.max(10, width - LABEL)
  const tx = upTo > t.dropped ? model.tx(model.globalOf(t, upTo - 1)) : undefined
  let logs: readonly LogLine[] = t.logsBefore
  if (!tx) {
    if (upTo > 0) lines.push([seg(` transitions 1…${t.dropped} were dropped (--max-mem)`, { dim: true })])
    else if (t.total > 0) {
      const g = model.globalOf(t, t.dropped)
      lines.push([seg('no transition yet at the cursor', { dim: true })])
      lines.push([seg(`its first is global #${g - model.firstGlobal + 1} (→ steps to it)`, { dim: true })])
    } else lines.push([seg(`${t.id} has no transitions`, { dim: true })])
  } else {
    const t0 = model.timeOf(model.firstGlobal)
    lines.push(...field('machine', [`${t.id} (${t.type})`]))
    lines.push(...field('seq', [`${tx.seq}   global #${tx.g - model.firstGlobal + 1}`]))
    lines.push(...field('time', [`${clock(tx.time)}  ${offset(tx.time - t0)}`]))
    lines.push(...field('event', [tx.event], 'cyan'))
    const peer = tx.args?.from ?? tx.args?.peer
    lines.push(...field('peer', [typeof peer === 'string' ? model.peerName(peer) : '—'], 'magenta'))
    lines.push(
      ...field(
        'args',
        wrapItems(
          argsParts(tx.args, (id) => model.peerName(id)),
          w,
        ),
      ),
    )
    lines.push([
      seg('result'.padEnd(LABEL), { dim: true }),
      seg(tx.accepted ? 'accepted' : 'REFUSED', { color: tx.accepted ? 'green' : 'red', bold: true }),
      seg(`   ${duration(tx.durationUs)}`),
    ])
    lines.push(...field('added', wrapList(t.names(tx.added), w), 'green'))
    lines.push(...field('removed', wrapList(t.names(tx.removed), w), 'red'))
    lines.push(...field('touched', wrapList(t.names(tx.touched), w), 'yellow'))
    const marks = model.messages.atTx(tx.g)
    if (marks.length > 0) {
      lines.push([seg(`── messages (${marks.length}) · o: message view `.padEnd(width, '─'), { dim: true })])
      for (const { info, mark } of marks.slice(0, 6)) {
        const from = mark.from >= 0 ? model.machines[mark.from]?.id : mark.fromName
        lines.push([
          seg(`${mark.mark.padEnd(10)}`, { color: MARK_COLOR[mark.mark] ?? 'white' }),
          seg(`${from ? `from ${from} ` : ''}on ${info.topic}: ${info.id}`),
        ])
      }
      if (marks.length > 6) lines.push([seg(`… ${marks.length - 6} more`, { dim: true })])
    }
    logs = tx.logs
  }
  lines.push([seg(`── log ${logs.length > 0 ? `(${logs.length})` : ''} `.padEnd(width, '─'), { dim: true })])
  if (logs.length === 0) {
    lines.push([seg('(no log lines here: psm logs publishes and errors;', { dim: true })])
    lines.push([seg(' / searches events, args and log text, L lists late messages)', { dim: true })])
  }
  const room = Math.max(0, height - lines.length)
  const start = Math.min(ui.txScroll, Math.max(0, logs.length - room))
  for (const l of logs.slice(start, start + room)) {
    // a line wraps (message ids are long): the level once, then the text over as many rows as it needs
    wrapItems(l.text.split(' '), Math.max(10, width - 6)).forEach((part, i) => {
      if (lines.length >= height) return
      lines.push([
        seg(i === 0 ? l.level.padEnd(6) : ' '.repeat(6), { color: LEVEL_COLOR[l.level] ?? 'white' }),
        seg(part),
      ])
    })
  }
  return lines
}

export function TxPane(props: TxPaneProps) {
  return <Lines lines={txPaneLines(props)} width={props.width} height={props.height} />
}
