// Ink turns every row of every frame into styled characters: it tokenises the row's ANSI codes and
// makes one object per character (Output.get, through @alcalzone/ansi-tokenize). It caches that per
// frame only: a fresh cache per Output, and a fresh Output per render. Stepping through a log changes
// a few rows of the screen (the transition pane, the cursor's row); the machine list, the state tree
// and most other rows come back unchanged, and tokenising them again was about 40% of a step's CPU
// (bench:dbg's CPU profile) and most of its allocation. This keeps one cache across frames, bounded:
// when it holds more rows than a few screens it starts over.
//
// Ink does not export its Output class, so it is reached by file next to Ink's entry (the same module
// instance Ink's renderer uses). `installInkOutputCache` checks the shape it relies on and leaves Ink
// alone when that shape is not there (another Ink version): the debugger then works as before, slower.

/** rows kept across frames: a 160×47 screen with side panes is about 100 rows */
const MAX_ROWS = 1_000

interface InkCaches {
  styledChars: Map<string, unknown>
  widths: Map<string, number>
  blockWidths: Map<string, number>
}

interface InkOutputClass {
  prototype: { get: (this: { caches: InkCaches }) => unknown }
  new (options: { width: number; height: number }): { caches: InkCaches }
}

let installed: Promise<boolean> | undefined

/** Shares Ink's per-frame output caches across frames (once per process); false when Ink's shape differs. */
export function installInkOutputCache(): Promise<boolean> {
  installed ??= install()
  return installed
}

async function install(): Promise<boolean> {
  let Output: InkOutputClass
  try {
    const url = new URL('./output.js', import.meta.resolve('ink'))
    Output = ((await import(url.href)) as { default: InkOutputClass }).default
  } catch {
    return false
  }
  const probe = typeof Output === 'function' ? new Output({ width: 1, height: 1 }) : undefined
  const caches = probe?.caches
  if (
    !caches ||
    !(caches.styledChars instanceof Map) ||
    !(caches.widths instanceof Map) ||
    !(caches.blockWidths instanceof Map) ||
    typeof Output.prototype.get !== 'function'
  )
    return false
  const shared = caches
  const get = Output.prototype.get
  Output.prototype.get = function (this: { caches: InkCaches }) {
    if (shared.styledChars.size > MAX_ROWS) {
      shared.styledChars.clear()
      shared.widths.clear()
      shared.blockWidths.clear()
    }
    this.caches = shared
    return get.call(this)
  }
  return true
}
