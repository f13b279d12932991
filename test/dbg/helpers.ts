// Shared test helpers: temporary dirs, synthetic and real fixture logs, loading into a model.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openLog } from '../../src/dbg/load/file-loader.js'
import { DbgModel, type ModelOptions } from '../../src/dbg/model/model.js'
import { type SyntheticOptions, syntheticRecords } from '../../src/dbg/synthetic-log.js'

/** The log recorded from `psm scenario simple-discovery --hosts 4 --msgs 5 --impl machine`. */
export const FIXTURE = 'test/fixtures/simple-discovery.jsonl'

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'psm-dbg-'))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Writes a synthetic log (real schemas, refused txs, log lines, snapshots) and returns its path. */
export function writeSynthetic(dir: string, opts: Partial<SyntheticOptions> = {}, name = 'synthetic.jsonl'): string {
  const path = join(dir, name)
  const lines: string[] = []
  for (const r of syntheticRecords({ txs: 600, peers: 2, snapshotEvery: 50, logEvery: 20, ...opts })) {
    lines.push(JSON.stringify(r))
  }
  writeFileSync(path, `${lines.join('\n')}\n`)
  return path
}

export async function loadModel(path: string, opts: ModelOptions = {}): Promise<DbgModel> {
  const log = await openLog(path)
  const model = new DbgModel({ source: path, ...opts })
  await log.load(model)
  return model
}
