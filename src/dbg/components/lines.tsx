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

/** The blank blocks by size: one string each, not a new one per pane and frame. */
const blanks = new Map<string, string>()

function blankBlock(width: number, height: number): string {
  const key = `${width}x${height}`
  let b = blanks.get(key)
  if (b === undefined) {
    if (blanks.size > 64) blanks.clear()
    b = Array.from({ length: height }, () => ' '.repeat(width)).join('\n')
    blanks.set(key, b)
  }
  return b
}

export function Lines({ lines, width, height }: LinesProps) {
  const color = useContext(ColorContext)
  const rows: string[] = []
  for (let i = 0; i < height; i++) {
    const line = lines[i]
    rows.push(line === undefined || line.length === 0 ? '' : styled(fitLine(line, width), color))
  }
  const blank = blankBlock(width, height)
  return (
    <Box width={width} height={height} flexShrink={0}>
      <Transform transform={(_line, i) => rows[i] ?? ''}>{blank}</Transform>
    </Box>
  )
}
