// Units of the network model as users and Shadow write them: latencies (`50ms`, `0.2s`, `25 ms`) and
// rates (`50Mbit`, `1Gbit`, `1024 Mbit`, `10MB`). Rates are SI like Shadow's (1 Mbit = 10^6 bits);
// KiB/MiB/GiB are binary bytes. The values are milliseconds and bits per second.

const LATENCY_UNITS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000 }

const RATE_UNITS: Record<string, number> = {
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  tbit: 1e12,
  b: 8,
  kb: 8e3,
  mb: 8e6,
  gb: 8e9,
  kib: 8 * 1024,
  mib: 8 * 1024 ** 2,
  gib: 8 * 1024 ** 3,
}

export const LATENCY_EXPECTED = 'a latency with a unit (e.g. 50ms, 0.2s, 800us)'
export const RATE_EXPECTED = 'a rate with a unit (e.g. 50Mbit, 1Gbit, 500kbit, 10MB)'

/** Milliseconds from `50ms` / `25 ms` / `0.2s` / `800us`; a bare 0 is allowed. undefined when not a latency. */
export function parseLatency(value: unknown): number | undefined {
  if (value === 0 || value === '0') return 0
  if (typeof value !== 'string') return undefined
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s)$/.exec(value.trim())
  if (!m) return undefined
  return Number(m[1]) * (LATENCY_UNITS[m[2]!] ?? Number.NaN)
}

/** Bits per second from `50Mbit`, `1 Gbit`, `8Mbit/s`, `10MB`; undefined when not a rate (or zero). */
export function parseRate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  // '8Mbps' is megabits; '/s' is decoration
  const text = value.trim().replace(/\/s$/, '').replace(/bps$/, 'bit')
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]+)$/.exec(text)
  if (!m) return undefined
  const unit = RATE_UNITS[m[2]!.toLowerCase()]
  // 'Mb' would be ambiguous (bits or bytes?): only the spelled-out 'bit' units or upper-case 'B' bytes
  if (unit === undefined || /b$/.test(m[2]!)) return undefined
  const bps = Number(m[1]) * unit
  return bps > 0 ? bps : undefined
}

/** `50Mbit`, `1.5Gbit`, `800kbit`: the way the model files write rates. */
export function formatRate(bps: number): string {
  if (!Number.isFinite(bps)) return 'unlimited'
  const units: [number, string][] = [
    [1e9, 'Gbit'],
    [1e6, 'Mbit'],
    [1e3, 'kbit'],
  ]
  // Gbit only when whole (1024Mbit, not 1.02Gbit), else Mbit or below with decimals
  if (bps >= 1e9 && bps % 1e9 === 0) return `${bps / 1e9}Gbit`
  for (const [size, name] of units.slice(1)) if (bps >= size) return `${round(bps / size)}${name}`
  return `${round(bps)}bit`
}

/** `12ms`, `0.25ms`, `1.5s` */
export function formatLatency(ms: number): string {
  if (ms >= 1000) return `${round(ms / 1000)}s`
  return `${round(ms)}ms`
}

function round(x: number): number {
  return Math.round(x * 100) / 100
}
