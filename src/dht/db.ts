// The results database: every `psm dht run` appends its run and its per-operation rows, for comparison
// across runs. The default is an SQLite file (sql.js: SQLite compiled to WebAssembly, no server, no native
// addon); the whole file is rewritten through a temp file and a rename, so a crash leaves the previous
// valid file. `postgres://…` writes the same rows to Postgres (as parsec's scheduler does).
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { InputError } from '../errors.js'
import { writeFileAtomic } from './files.js'
import type { Operation } from './ops.js'
import type { DhtResults } from './report.js'

export const DEFAULT_DB = 'data/dht.sqlite'

/** One operation row as both databases give it back (booleans as booleans, numbers as numbers). */
export interface OperationRow extends Omit<Operation, 'kind'> {
  runId: string
  seq: number
  kind: string
}

const RUN_COLUMNS = [
  'run_id',
  'started_at',
  'nodes',
  'rounds',
  'rounds_done',
  'retrievers',
  'k',
  'alpha',
  'seed',
  'clock',
  'error_rate',
  'delay_min_ms',
  'delay_max_ms',
  'init_ms',
  'init_wall_ms',
] as const

const OP_COLUMNS = [
  'run_id',
  'seq',
  'kind',
  'round',
  'node',
  'cid',
  'duration_ms',
  'success',
  'error',
  'hops',
  'peers_contacted',
  'query_errors',
  'first_provider_is_publisher',
  'providers_found',
] as const

function ddl(bool: string, real: string, bigint: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS dht_runs (run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, nodes INTEGER NOT NULL,
      rounds INTEGER NOT NULL, rounds_done INTEGER NOT NULL, retrievers INTEGER NOT NULL, k INTEGER NOT NULL,
      alpha INTEGER NOT NULL, seed ${bigint} NOT NULL, clock TEXT NOT NULL, error_rate ${real}, delay_min_ms ${real},
      delay_max_ms ${real}, init_ms ${real}, init_wall_ms ${real})`,
    `CREATE TABLE IF NOT EXISTS dht_operations (run_id TEXT NOT NULL REFERENCES dht_runs(run_id), seq INTEGER NOT NULL,
      kind TEXT NOT NULL, round INTEGER NOT NULL, node INTEGER NOT NULL, cid TEXT NOT NULL, duration_ms ${real} NOT NULL,
      success ${bool} NOT NULL, error TEXT, hops INTEGER NOT NULL, peers_contacted INTEGER NOT NULL,
      query_errors INTEGER NOT NULL, first_provider_is_publisher ${bool}, providers_found INTEGER NOT NULL,
      PRIMARY KEY (run_id, seq))`,
  ]
}

type Value = string | number | boolean | null

function runValues(r: DhtResults): Value[] {
  const c = r.config
  return [
    r.runId,
    r.startedAt,
    c.nodes,
    c.rounds,
    r.roundsDone,
    c.retrievers,
    c.k,
    c.alpha,
    r.seed,
    r.clock,
    c.errorRate,
    c.delayRange?.[0] ?? null,
    c.delayRange?.[1] ?? null,
    r.init?.initMs ?? null,
    r.init?.initWallMs ?? null,
  ]
}

function opValues(runId: string, seq: number, o: Operation): Value[] {
  return [
    runId,
    seq,
    o.kind,
    o.round,
    o.node,
    o.cid,
    o.durationMs,
    o.success,
    o.error,
    o.hops,
    o.peersContacted,
    o.queryErrors,
    o.firstProviderIsPublisher,
    o.providersFound,
  ]
}

function toRow(r: Record<string, unknown>): OperationRow {
  const bool = (v: unknown) => (v === null || v === undefined ? null : v === true || v === 1 || v === '1')
  return {
    runId: String(r.run_id),
    seq: Number(r.seq),
    kind: String(r.kind),
    round: Number(r.round),
    node: Number(r.node),
    cid: String(r.cid),
    durationMs: Number(r.duration_ms),
    success: bool(r.success) === true,
    error: r.error === null || r.error === undefined ? null : String(r.error),
    hops: Number(r.hops),
    peersContacted: Number(r.peers_contacted),
    queryErrors: Number(r.query_errors),
    firstProviderIsPublisher: bool(r.first_provider_is_publisher),
    providersFound: Number(r.providers_found),
  }
}

export interface ResultsDb {
  readonly where: string
  append(r: DhtResults): Promise<void>
  operations(runId: string): Promise<OperationRow[]>
  close(): Promise<void>
}

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//.test(target)
}

export async function openResultsDb(target: string): Promise<ResultsDb> {
  return isPostgresUrl(target) ? openPostgres(target) : openSqlite(target)
}

// --- SQLite (sql.js) ------------------------------------------------------------------------------

async function openSqlite(path: string): Promise<ResultsDb> {
  const require = createRequire(import.meta.url)
  const initSqlJs = require('sql.js') as typeof import('sql.js')
  const wasm = require.resolve('sql.js/dist/sql-wasm.wasm')
  const SQL = await initSqlJs({ locateFile: () => wasm })
  let db: import('sql.js').Database
  try {
    db = existsSync(path) ? new SQL.Database(readFileSync(path)) : new SQL.Database()
    for (const s of ddl('INTEGER', 'REAL', 'INTEGER')) db.run(s)
  } catch (err) {
    throw new InputError(`${path}: not a psm results database (${(err as Error).message})`)
  }
  const save = () => {
    const dir = dirname(path)
    if (dir) mkdirSync(dir, { recursive: true })
    writeFileAtomic(path, db.export())
  }
  const lite = (v: Value) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)
  return {
    where: path,
    async append(r) {
      db.run('BEGIN')
      try {
        db.run(`DELETE FROM dht_operations WHERE run_id = ?`, [r.runId])
        db.run(`DELETE FROM dht_runs WHERE run_id = ?`, [r.runId])
        db.run(
          `INSERT INTO dht_runs (${RUN_COLUMNS.join(', ')}) VALUES (${RUN_COLUMNS.map(() => '?').join(', ')})`,
          runValues(r).map(lite),
        )
        const stmt = db.prepare(
          `INSERT INTO dht_operations (${OP_COLUMNS.join(', ')}) VALUES (${OP_COLUMNS.map(() => '?').join(', ')})`,
        )
        r.operations.forEach((o, seq) => {
          stmt.run(opValues(r.runId, seq, o).map(lite))
        })
        stmt.free()
        db.run('COMMIT')
      } catch (err) {
        db.run('ROLLBACK')
        throw err
      }
      save()
    },
    async operations(runId) {
      const stmt = db.prepare(`SELECT * FROM dht_operations WHERE run_id = ? ORDER BY seq`)
      stmt.bind([runId])
      const rows: OperationRow[] = []
      while (stmt.step()) rows.push(toRow(stmt.getAsObject()))
      stmt.free()
      return rows
    },
    async close() {
      db.close()
    },
  }
}

// --- Postgres (pg) --------------------------------------------------------------------------------

async function openPostgres(url: string): Promise<ResultsDb> {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: url })
  // the URL may hold a password: messages name the host and database only
  const where = (() => {
    try {
      const u = new URL(url)
      return `postgres://${u.host}${u.pathname}`
    } catch {
      return 'postgres://…'
    }
  })()
  try {
    await client.connect()
    for (const s of ddl('BOOLEAN', 'DOUBLE PRECISION', 'BIGINT')) await client.query(s)
  } catch (err) {
    await client.end().catch(() => {})
    throw new InputError(`--db ${where}: cannot use the database: ${(err as Error).message}`)
  }
  const placeholders = (rows: number, cols: number) =>
    Array.from(
      { length: rows },
      (_, i) => `(${Array.from({ length: cols }, (_, j) => `$${i * cols + j + 1}`).join(', ')})`,
    ).join(', ')
  return {
    where,
    async append(r) {
      await client.query('BEGIN')
      try {
        await client.query('DELETE FROM dht_operations WHERE run_id = $1', [r.runId])
        await client.query('DELETE FROM dht_runs WHERE run_id = $1', [r.runId])
        await client.query(
          `INSERT INTO dht_runs (${RUN_COLUMNS.join(', ')}) VALUES ${placeholders(1, RUN_COLUMNS.length)}`,
          runValues(r),
        )
        const BATCH = 500
        for (let i = 0; i < r.operations.length; i += BATCH) {
          const chunk = r.operations.slice(i, i + BATCH)
          await client.query(
            `INSERT INTO dht_operations (${OP_COLUMNS.join(', ')}) VALUES ${placeholders(chunk.length, OP_COLUMNS.length)}`,
            chunk.flatMap((o, j) => opValues(r.runId, i + j, o)),
          )
        }
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw err
      }
    },
    async operations(runId) {
      const res = await client.query('SELECT * FROM dht_operations WHERE run_id = $1 ORDER BY seq', [runId])
      return res.rows.map((row) => toRow(row as Record<string, unknown>))
    },
    async close() {
      await client.end()
    },
  }
}
