// The status bar: mode (paused/playing/tail), the source, counts (machines, txs, malformed, dropped),
// loading progress, the latest message or notice; the search prompt while searching.
import type { DbgModel } from '../model/model.js'
import { type Line, seg } from '../ui/format.js'
import type { UiState } from '../ui/ui-state.js'
import { Lines } from './lines.js'

export interface StatusBarProps {
  model: DbgModel
  ui: UiState
  width: number
}

export function statusLine({ model, ui }: StatusBarProps): Line {
  if (ui.overlay === 'search') {
    return [
      seg(' / ', { inverse: true, bold: true }),
      seg(` ${ui.query}`, { bold: true }),
      seg('_', { inverse: true }),
      seg(`   ${ui.message}   ↑/↓ next machine · enter next transition that matches (then n / N) · esc cancel`, {
        dim: true,
      }),
    ]
  }
  const mode = ui.tail ? 'TAIL' : ui.playing ? 'PLAYING' : 'PAUSED'
  const modeColor = ui.tail ? 'magenta' : ui.playing ? 'green' : 'yellow'
  const out: Line = [seg(` ${mode} `, { inverse: true, bold: true, color: modeColor })]
  // the latest message or notice first: it is what the user just caused or must know
  const note = ui.message || model.notices[model.notices.length - 1] || ''
  if (note) out.push(seg(` ${note} │`, { color: 'yellow' }))
  out.push(seg(` ${model.mode === 'live' ? 'live' : 'file'} ${model.source}`))
  out.push(seg(` │ ${model.machines.length} machines · ${model.txCount} txs`))
  if (!model.progress.done && model.progress.totalBytes > 0) {
    const pct = Math.floor((100 * model.progress.bytes) / model.progress.totalBytes)
    out.push(seg(` │ loading ${pct}%`, { color: 'cyan' }))
  }
  if (model.malformed > 0) out.push(seg(` │ malformed ${model.malformed}`, { color: 'red' }))
  if (model.droppedTxs > 0) {
    out.push(seg(` │ dropped ${model.droppedTxs} oldest (--max-mem)`, { color: 'red' }))
  }
  out.push(seg('  ? help', { dim: true }))
  return out
}

export function StatusBar(props: StatusBarProps) {
  return <Lines lines={[statusLine(props)]} width={props.width} height={1} />
}
