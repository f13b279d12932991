// Durations as users write them (500ms, 30s, 2m, 1h, or a bare number of seconds): the one parser behind
// config keys and flags, and the formatter that writes them back the same way.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Milliseconds, or undefined when the text is not a duration (each caller words its own error). */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim())
  if (!m) return undefined
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000))
}

/** Formats milliseconds the way a user would write them: 1500 → '1.5s', 60000 → '1m'. */
export function formatMs(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}
