// Synthetic bench results for report and compare tests: 2 × 2 cells, 3 iterations, both implementations,
// machine 10% dearer, optionally one failed run.
import type { ResultsFile, RunRecord } from '../../src/bench/results.js'
import { defaultBenchConfig } from '../../src/config/bench.js'

export function syntheticResults(over: { failOne?: boolean; factor?: number } = {}): ResultsFile {
  const config = { ...defaultBenchConfig(), hosts: [3, 4], msgs: [2, 4], iterations: 3, warmup: 0 }
  const runs: RunRecord[] = []
  for (const hosts of config.hosts) {
    for (const msgs of config.msgs) {
      for (let i = 0; i < 3; i++) {
        for (const impl of ['vanilla', 'machine']) {
          const f = (impl === 'machine' ? 1.1 : 1) * (over.factor ?? 1)
          const failed = over.failOne === true && impl === 'machine' && hosts === 4 && msgs === 4 && i === 2
          const base = hosts * msgs * 100 + i * 10
          runs.push({
            hosts,
            msgs,
            impl,
            iteration: i,
            seed: 1 + i,
            failure: failed ? 'timeout waiting for readiness' : null,
            exitCode: failed ? 1 : 0,
            processMs: base * f + 300,
            ...(failed
              ? {}
              : {
                  delivered: (msgs + 1) * (hosts - 1),
                  expected: (msgs + 1) * (hosts - 1),
                  failures: 0,
                  wallMs: base * f,
                  readyMs: 100 * f,
                  publishMs: base * f - 100,
                  cpuMs: base * f * 0.9,
                  peakRssBytes: (80 + hosts) * 1024 * 1024 * f,
                  heapAllocatedBytes: 30 * 1024 * 1024 * f,
                  gcCollectedBytes: 20 * 1024 * 1024 * f,
                  gcCount: 4,
                  gcPauseMs: 5 * f,
                  latencyMs: { p50: 2 * f, p99: 8 * f, max: 10 * f },
                  transitions: impl === 'machine' ? 500 : 0,
                }),
          })
        }
      }
    }
  }
  return {
    format: 'psm-bench-results',
    version: 1,
    config,
    meta: {
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:01:30.000Z',
      complete: true,
      plannedRuns: runs.length,
      plannedWarmup: 0,
      versions: { psm: '0.1.0', node: '20.0.0' },
      machine: {
        cpuModel: 'Test CPU',
        cores: 2,
        memoryBytes: 4 * 1024 ** 3,
        os: 'linux',
        loadAtStart: [1, 1, 1],
        loadAtEnd: [2, 2, 2],
      },
      command: 'psm bench --hosts 3,4',
    },
    runs,
    warmup: [],
  }
}

/** The data cells of every hosts × msgs table in bench.md, by section heading. */
export function tables(md: string): Map<string, string[][]> {
  const out = new Map<string, string[][]>()
  let heading = ''
  for (const line of md.split('\n')) {
    if (line.startsWith('## ')) heading = line.slice(3)
    else if (line.startsWith('| **')) {
      const cells = line.split(' | ').slice(1)
      cells[cells.length - 1] = cells[cells.length - 1]!.replace(/ \|$/, '')
      out.set(heading, [...(out.get(heading) ?? []), cells])
    }
  }
  return out
}
