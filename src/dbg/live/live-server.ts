// The live debugger's TCP server: accepts NDJSON record streams from one or more `psm sim --dbg`
// runs (or anything using the socket sink) and feeds the model. A client that sends garbage (not
// JSON, not a psm log, a bad record) or an oversized line is disconnected with a logged reason; the
// debugger keeps running. Machine ids that clash with another connected client's get a `@N` suffix.
import { createServer, type Server, type Socket } from 'node:net'
import { InputError } from '../../errors.js'
import { checkRecord } from '../../telemetry/log/jsonl.js'
import { LineSplitter } from '../../telemetry/log/line-splitter.js'
import { LOG_FORMAT, type PsmRecord, readsVersion } from '../../telemetry/records.js'
import type { DbgModel } from '../model/model.js'

export interface LiveServerOptions {
  host: string
  port: number
  /** longest accepted line (default 1 MiB) */
  maxLineBytes?: number
}

export interface LiveServer {
  host: string
  port: number
  /** clients connected now */
  clients(): number
  close(): Promise<void>
}

export const DEFAULT_MAX_LINE = 1 << 20

class Client {
  private sawHeader = false
  /** the client's machine ids → the ids shown */
  private readonly ids = new Map<string, string>()
  private readonly splitter: LineSplitter
  private gone = false

  constructor(
    readonly n: number,
    private readonly socket: Socket,
    private readonly model: DbgModel,
    maxLineBytes: number,
    private readonly onGone: (c: Client) => void,
  ) {
    this.splitter = new LineSplitter({
      maxLineBytes,
      onLine: (text, line) => this.line(text, line),
      onOversize: (line) => this.drop(`line ${line} is longer than ${maxLineBytes} bytes`),
    })
    socket.on('data', (chunk: Buffer) => {
      this.splitter.push(chunk)
      model.changedSoon(100)
    })
    socket.on('end', () => this.splitter.end())
    socket.on('error', () => {})
    socket.on('close', () => this.closed())
  }

  get label(): string {
    return `client ${this.n} (${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'})`
  }

  private line(text: string, line: number): void {
    let obj: unknown
    try {
      obj = JSON.parse(text)
    } catch {
      this.drop(`line ${line} is not JSON`)
      return
    }
    const why = checkRecord(obj)
    if (!this.sawHeader) {
      const h = obj as { kind?: unknown; format?: unknown; version?: unknown }
      if (h?.kind !== 'header' || h.format !== LOG_FORMAT) {
        this.drop(`not a psm log (line ${line} is not a ${LOG_FORMAT} header)`)
      } else if (!readsVersion(h.version)) {
        this.drop(`unknown ${LOG_FORMAT} format version ${String(h.version)}`)
      } else {
        this.sawHeader = true
        this.model.ingest(obj as PsmRecord, this.n)
      }
      return
    }
    if (why !== undefined) {
      // a record kind this debugger does not know is skipped, as a reader of a newer log would
      if (why.startsWith('unknown record kind')) this.model.skip(line, why)
      else this.drop(`line ${line}: ${why}`)
      return
    }
    this.record(obj as PsmRecord, line)
  }

  private record(r: PsmRecord, line: number): void {
    if (r.kind === 'header') return
    if (r.kind === 'machine') {
      let id = r.id
      const known = this.model.byId.get(id)
      if (known && known.client !== this.n && !known.disconnected) id = `${r.id}@${this.n}`
      const parent = r.parent === null ? null : (this.ids.get(r.parent) ?? r.parent)
      const t = this.model.declare({ ...r, id, parent }, this.n)
      if (!t) this.model.skip(line, `${this.label}: machine ${id} exists with another type`)
      else this.ids.set(r.id, t.id)
      return
    }
    const id = this.ids.get(r.machine)
    if (id === undefined) {
      this.model.skip(line, `${this.label}: ${r.kind} for undeclared machine ${r.machine}`)
      return
    }
    const why = this.model.ingest(id === r.machine ? r : { ...r, machine: id }, this.n)
    if (why !== undefined) this.model.skip(line, `${this.label}: ${why}`)
  }

  private drop(reason: string): void {
    if (this.gone) return
    this.gone = true
    this.splitter.stop()
    this.model.notice(`${this.label} disconnected: ${reason}`)
    this.socket.destroy()
  }

  private closed(): void {
    for (const id of this.ids.values()) {
      const t = this.model.byId.get(id)
      if (t && t.client === this.n) t.disconnected = true
    }
    this.model.machinesVersion++
    if (!this.gone) {
      this.gone = true
      this.model.notice(`${this.label} closed`)
    } else this.model.changed()
    this.onGone(this)
  }
}

/** Listens on host:port; throws InputError (one line) when it cannot. */
export async function startLiveServer(model: DbgModel, opts: LiveServerOptions): Promise<LiveServer> {
  const clients = new Set<Client>()
  const sockets = new Set<Socket>()
  let n = 0
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    const c = new Client(++n, socket, model, opts.maxLineBytes ?? DEFAULT_MAX_LINE, (x) => clients.delete(x))
    clients.add(c)
    model.notice(`${c.label} connected`)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the address is in use' : (err.code ?? err.message)
      reject(new InputError(`--listen ${opts.host}:${opts.port}: cannot listen (${why})`))
    })
    server.listen(opts.port, opts.host, () => resolve())
  })
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : opts.port
  return {
    host: opts.host,
    port,
    clients: () => clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      }),
  }
}
