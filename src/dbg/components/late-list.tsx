// The late-messages list (L): messages by the time they took to reach 99% of the hosts subscribed when
// they were published, those that never did first; enter opens the message view.
import type { LateMessage } from '../model/message-path.js'
import type { DbgModel } from '../model/model.js'
import { clock, type Line, scrollTop, seg, titleLine } from '../ui/format.js'
import type { UiState } from '../ui/ui-state.js'
import { Lines } from './lines.js'
import { ms } from './message-view.js'

export interface LateListProps {
  model: DbgModel
  ui: UiState
  list: readonly LateMessage[]
  width: number
  height: number
}

export function lateLines({ model, ui, list, height }: LateListProps): Line[] {
  const lines: Line[] = [
    titleLine(`late messages (${list.length}): slowest to reach 99% of their subscribers first`, true),
    [seg(' ↑/↓ move · enter message view · esc back', { dim: true })],
    [
      seg(
        `   ${'message'.padEnd(46)}${'topic'.padEnd(10)}${'publisher'.padEnd(11)}${'published'.padEnd(14)}${'reached'.padEnd(10)}${'99%'.padEnd(9)}all`,
        { dim: true },
      ),
    ],
  ]
  if (list.length === 0) {
    lines.push([
      seg(' no published message in this log has msg records (psm writes them in version 2 logs)', { dim: true }),
    ])
    return lines
  }
  const room = Math.max(1, height - lines.length)
  const top = scrollTop(ui.lateRow, list.length, room)
  for (let i = top; i < Math.min(list.length, top + room); i++) {
    const m = list[i]!
    const sel = i === ui.lateRow
    const style = sel ? { inverse: true } : {}
    const never = m.t99 === undefined
    lines.push([
      seg(sel ? '▶ ' : '  ', style),
      seg(` ${m.id}`.padEnd(46), style),
      seg(m.topic.padEnd(10), style),
      seg((model.machines[m.publisher]?.id ?? '?').padEnd(11), style),
      seg(clock(m.publishTime).padEnd(14), style),
      seg(`${m.reached}/${m.expected}`.padEnd(10), never ? { ...style, color: 'red' } : style),
      seg((never ? 'never' : ms(m.t99)).padEnd(9), never ? { ...style, color: 'red', bold: true } : style),
      seg(m.tAll === undefined ? 'never' : ms(m.tAll), style),
    ])
  }
  return lines
}

export function LateList(props: LateListProps) {
  return <Lines lines={lateLines(props)} width={props.width} height={props.height} />
}
