// The results database: one run written to an SQLite file (sql.js) and to Postgres (a throwaway cluster
// of Debian's postgresql on 127.0.0.1) holds the same rows in both, and the rows of results.json.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openResultsDb } from '../../src/dht/db.js'
import { dhtRun } from './helpers.js'
import { startPostgres, type TestPostgres } from './postgres.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-dht-db-'))
let pg: TestPostgres
beforeAll(async () => {
  pg = await startPostgres()
})
afterAll(() => {
  pg?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('dht results database', () => {
  it('the SQLite path and the Postgres path hold the same rows for the same run', async () => {
    const file = join(dir, 'results.sqlite')
    const args = ['--nodes', '12', '--rounds', '3', '--retrievers', '4', '--seed', '9', '--error-rate', '0.1']
    const a = await dhtRun(join(dir, 'a'), [...args, '--db', file, '--db', pg.url])
    // a second run appends to both
    const b = await dhtRun(join(dir, 'b'), [...args, '--seed', '10', '--db', file, '--db', pg.url])
    expect(existsSync(file)).toBe(true)
    const lite = await openResultsDb(file)
    const post = await openResultsDb(pg.url)
    try {
      for (const run of [a, b]) {
        const rowsLite = await lite.operations(run.summary.runId)
        const rowsPg = await post.operations(run.summary.runId)
        expect(rowsLite).toHaveLength(3 * 5)
        expect(rowsPg).toEqual(rowsLite)
        // and they are the run's operations
        expect(rowsLite.map((r) => [r.kind, r.node, r.durationMs, r.success, r.error, r.hops])).toEqual(
          run.ops.map((o) => [o.kind, o.node, o.durationMs, o.success, o.error, o.hops]),
        )
      }
    } finally {
      await lite.close()
      await post.close()
    }
  }, 600_000)
})
