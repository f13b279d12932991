// The help overlay: every key, the views' characters, the machine marks, and the recent notices.
import { CELL_LEGEND } from '../ui/cells.js'
import { type Line, seg, titleLine } from '../ui/format.js'
import { KEY_HELP } from '../ui/keys.js'
import { Lines } from './lines.js'

export interface HelpOverlayProps {
  /** recent notices (live clients connecting, disconnected and why, load errors) */
  notices: readonly string[]
  width: number
  height: number
}

export function helpLines(notices: readonly string[] = []): Line[] {
  const w = Math.max(...KEY_HELP.map(([k]) => k.length)) + 3
  return [
    titleLine('psm dbg — keys (any key closes this help)', true),
    [],
    ...KEY_HELP.map(([k, what]): Line => [seg(`  ${k.padEnd(w)}`, { bold: true, color: 'cyan' }), seg(what)]),
    [],
    [
      seg('  machine marks  ', { bold: true }),
      seg('S Start active · R Ready active · ! Exception · ⌁ disconnected · ■ stopped · › more follow'),
    ],
    [
      seg('  state marks    ', { bold: true }),
      seg('● active ○ inactive ◆/◇ Multi (fired/not) · + added - removed * touched x refused'),
    ],
    [seg('  matrix / rain  ', { bold: true }), seg(CELL_LEGEND)],
    ...(notices.length > 0
      ? [
          [],
          [seg('  recent notices', { bold: true })],
          ...notices.slice(-8).map((n): Line => [seg(`  ${n}`, { color: 'yellow' })]),
        ]
      : []),
  ]
}

export function HelpOverlay({ notices, width, height }: HelpOverlayProps) {
  return <Lines lines={helpLines(notices)} width={width} height={height} />
}
