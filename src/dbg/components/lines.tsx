// Renders pre-built lines of styled segments as a fixed-size block.
//
// Ink 6 measures every distinct Text content through module-level caches that never evict (ink
// issue #986): a debugger redrawing new text on every step or live record would grow without bound.
// So Ink is given a blank block of the pane's size (always the same string: one cache entry per
// size) and the real lines are substituted per row by a Transform at output time.
import { Box, Transform } from 'ink'
import { useContext } from 'react'
import { fitLine, type Line, styled } from '../ui/format.js'
import { ColorContext } from './color-context.js'

export interface LinesProps {
  lines: readonly Line[]
  width: number
  height: number
}

export function Lines({ lines, width, height }: LinesProps) {
  const color = useContext(ColorContext)
  const rows: string[] = []
  for (let i = 0; i < height; i++) rows.push(styled(fitLine(lines[i] ?? [], width), color))
  const blank = Array.from({ length: height }, () => ' '.repeat(width)).join('\n')
  return (
    <Box width={width} height={height} flexShrink={0}>
      <Transform transform={(_line, i) => rows[i] ?? ''}>{blank}</Transform>
    </Box>
  )
}
