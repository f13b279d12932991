// styled(): the string a pane hands Ink for one line, kept short because Ink tokenizes all of it per frame.
import { stripVTControlCharacters } from 'node:util'
import { describe, expect, it } from 'vitest'
import { seg, styled } from '../../src/dbg/ui/format.js'

describe('styled lines', () => {
  it('gives neighbouring segments of one style one escape and one reset', () => {
    const s = styled([seg('ab', { dim: true }), seg(' 12', { dim: true }), seg('x', { bold: true })], true)
    expect(s).toBe('\x1b[2mab 12\x1b[0m\x1b[1mx\x1b[0m')
  })

  it('puts no style on blanks where it would not show, but keeps inverse and underline on them', () => {
    expect(styled([seg('a'), seg('  ', { color: 'red', bold: true }), seg('b')], true)).toBe('a  b')
    expect(styled([seg('a'), seg('  ', { inverse: true }), seg('b')], true)).toBe('a\x1b[7m  \x1b[0mb')
    expect(styled([seg('a'), seg(' ', { underline: true })], true)).toBe('a\x1b[4m \x1b[0m')
  })

  it('leaves out trailing unstyled blanks, and colours and dim without colours', () => {
    expect(styled([seg('a  ', { color: 'green' }), seg('   ')], true)).toBe('\x1b[32ma\x1b[0m')
    expect(styled([seg('a', { color: 'green', dim: true }), seg('b', { bold: true, color: 'red' })], false)).toBe(
      'a\x1b[1mb\x1b[0m',
    )
  })

  it('keeps the text of every segment, in order', () => {
    const line = [
      seg(' ○ ', { color: 'gray' }),
      seg('Peers', { bold: true, underline: true }),
      seg('  ▸', { dim: true }),
    ]
    expect(stripVTControlCharacters(styled(line, true))).toBe(' ○ Peers  ▸')
  })
})
