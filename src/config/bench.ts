// bench.yml: the matrix and run settings of `psm bench`, the seed's env names (NUM_HOSTS, RAND_MSGS)
// and the `psm bench` flags. bench.yml at the repository root spells out the same defaults.
import { type FlagValues, loadConfig, type Override } from './load.js'
import { networkSchema } from './network.js'
import { duration, type Infer, int, list, nullable, object, oneOf, string } from './schema.js'
import { applyNetwork, hostOptionsSchema } from './sim.js'

export const IMPLS = ['vanilla', 'machine', 'machine-full'] as const
export type Impl = (typeof IMPLS)[number]
export const SCENARIOS = ['simple-discovery'] as const

export const benchSchema = object({
  scenario: oneOf(SCENARIOS, 'simple-discovery'),
  hosts: list(int({ min: 2, max: 10_000 }), { default: [5, 10, 15, 20], minItems: 1, unique: true }),
  msgs: list(int({ min: 1, max: 1_000_000 }), { default: [20, 40, 60, 80, 100], minItems: 1, unique: true }),
  iterations: int({ default: 15, min: 1, max: 10_000 }),
  warmup: int({ default: 1, min: 0, max: 1000 }),
  impls: list(oneOf(IMPLS), { default: ['vanilla', 'machine'], minItems: 1, unique: true }),
  timeout: duration({ default: '120s', min: 1000 }),
  seed: int({ default: 1, min: 0, max: 2 ** 31 }),
  host: hostOptionsSchema,
  network: nullable(networkSchema),
  scenarioArgs: list(string({ nonEmpty: true }), { default: [] }),
  out: nullable(string({ nonEmpty: true })),
  // a CPU list for `taskset -c` (e.g. 1 or 0-1): every run is pinned to it, so other work on the machine
  // and the bench itself do not move it between cores mid-run
  cpus: nullable(string({ pattern: /^\d+(-\d+)?(,\d+(-\d+)?)*$/, expected: 'a CPU list such as 1, 0-1 or 0,2' })),
})

export type BenchConfig = Infer<typeof benchSchema>

export const BENCH_ENV: readonly Override<BenchConfig>[] = [
  { name: 'NUM_HOSTS', path: 'hosts' },
  { name: 'RAND_MSGS', path: 'msgs' },
]

export const BENCH_FLAGS: readonly Override<BenchConfig>[] = [
  { name: 'out', path: 'out' },
  { name: 'hosts', path: 'hosts' },
  { name: 'msgs', path: 'msgs' },
  { name: 'iterations', path: 'iterations' },
  { name: 'impl', path: 'impls' },
  { name: 'warmup', path: 'warmup' },
  { name: 'timeout', path: 'timeout' },
  { name: 'cpus', path: 'cpus' },
]

export interface LoadBenchOptions {
  /** bench.yml to read; without it the embedded defaults apply */
  path?: string | undefined
  env?: Readonly<Record<string, string | undefined>>
  flags?: FlagValues
}

/** bench.yml (or the defaults), then NUM_HOSTS / RAND_MSGS, then flags; errors name the key. */
export function loadBenchConfig(opts: LoadBenchOptions = {}): BenchConfig {
  const config = loadConfig(benchSchema, {
    name: 'bench.yml',
    ...(opts.path !== undefined ? { file: opts.path } : {}),
    env: opts.env ?? {},
    envOverrides: BENCH_ENV,
    flags: opts.flags ?? {},
    flagOverrides: BENCH_FLAGS,
  })
  applyNetwork(config, opts.path, opts.flags ?? {})
  return config
}

export function defaultBenchConfig(): BenchConfig {
  return benchSchema.check({}, [])
}
