// The cross-frame cache of Ink's styled rows (src/dbg/ui/ink-output-cache.ts) must not change a single
// frame: the same keys on the same log, rendered in colour, give the same frames with and without it.
import { render } from 'ink-testing-library'
import { describe, expect, it } from 'vitest'
import { Root } from '../../src/dbg/components/root.js'
import { DbgController } from '../../src/dbg/ui/controller.js'
import { installInkOutputCache } from '../../src/dbg/ui/ink-output-cache.js'
import { FIXTURE, loadModel } from './helpers.js'

// steps both ways, jumps, the other pane, the message view and back: rows change, come back, move
const KEYS = [
  '\x1b[C',
  '\x1b[C',
  '\x1b[C',
  '\x1b[D',
  '\x1b[1;2C',
  '\t',
  '\x1b[B',
  '\x1b[B',
  '\t',
  '\x1b[F',
  'o',
  '\x1b[B',
  '\x1b',
]

async function frames(): Promise<string[]> {
  const model = await loadModel(FIXTURE)
  const controller = new DbgController(model, {})
  const app = render(<Root controller={controller} size={{ width: 120, height: 36 }} color={true} />)
  const out = [app.lastFrame() ?? '']
  try {
    for (const k of KEYS) {
      app.stdin.write(k)
      await new Promise((r) => setImmediate(r))
      out.push(app.lastFrame() ?? '')
    }
  } finally {
    app.unmount()
    controller.dispose()
  }
  return out
}

describe("Ink's output cache across frames", () => {
  it('installs on this Ink and leaves every frame as it was', async () => {
    const before = await frames()
    expect(new Set(before).size).toBeGreaterThan(5) // the keys did change the screen
    expect(before.some((f) => f.includes('\x1b['))).toBe(true) // in colour: styles go through the cache
    expect(await installInkOutputCache()).toBe(true)
    const after = await frames()
    expect(after).toEqual(before)
  })
})
