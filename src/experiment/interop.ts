// `psm experiment run --interop DIR`: a gossipsub-interop folder runs as `psm interop run DIR --out OUT`
// does (node logs in interop's layout, so upstream's analysis reads OUT), and its deliveries feed the
// experiment report (report.md, results.json, charts) in the same OUT.
import { join } from 'node:path'
import { readParamsFile } from '../interop/node.js'
import { runInterop } from '../interop/run.js'
import type { Results } from './analyze.js'
import { writeResults } from './output.js'

export interface InteropExperiment {
  results: Results
  charts: string[]
  /** instructions that failed (a dial, a publish), one line each */
  failures: string[]
}

export async function runInteropExperiment(
  dir: string,
  outDir: string,
  opts: { signal?: AbortSignal; say?: (line: string) => void } = {},
): Promise<InteropExperiment> {
  // the mesh degrees the folder's nodes run with (gossipsub's default 6 where a node sets none), for the
  // report's duplicate references
  const degrees = [
    ...new Set(
      readParamsFile(join(dir, 'params.json')).script.flatMap((i) =>
        i.type === 'initGossipSub' ? [i.gossipSubParams.D ?? 6] : [],
      ),
    ),
  ]
  const r = await runInterop({
    dir,
    out: outDir,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.say ? { progress: opts.say, warn: opts.say } : {}),
  })
  const { results, charts } = await writeResults(
    outDir,
    { deliveries: r.deliveries },
    {
      name: `interop ${dir}`,
      seed: 1,
      clock: r.clock,
      nodes: r.deliveries.nodes.length,
      simMs: r.simMs,
      interrupted: r.interrupted,
    },
    degrees.length > 0 ? degrees : [6],
  )
  return { results, charts, failures: r.failures }
}
