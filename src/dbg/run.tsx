// `psm dbg` as a library call: opens a log file (or listens for live streams), then shows the Ink
// screen until the user quits. The terminal is restored on every way out (q, ctrl-c, a signal).
import { render } from 'ink'
import { DEFAULT_DBG_ADDRESS } from '../config/addresses.js'
import { parseHostPort } from '../config/host-port.js'
import { InputError } from '../errors.js'
import { Root } from './components/root.js'
import { type LiveServer, startLiveServer } from './live/live-server.js'
import { openLog } from './load/file-loader.js'
import { DbgModel } from './model/model.js'
import { DbgController } from './ui/controller.js'
import { installInkOutputCache } from './ui/ink-output-cache.js'

export interface DbgOptions {
  /** a .jsonl or .jsonl.gz log; without it the debugger listens */
  file?: string
  listen?: { host: string; port: number }
  machine?: string
  tx?: number
  /** open the message view of this message id */
  msg?: string
  /** memory bound for the whole process, in MiB */
  maxMemMb: number
  exportDir?: string
  /** ms between playback steps */
  playMs?: number
  stdin?: NodeJS.ReadStream
  stdout?: NodeJS.WriteStream
  /** fixed screen size (tests, bench) */
  size?: { width: number; height: number }
  /** colours (default: stdout has colours and NO_COLOR is unset) */
  color?: boolean
  /** use the terminal's alternate screen (default: when stdout is a TTY) */
  altScreen?: boolean
  /** called once the screen is up (bench, tests) */
  onStart?: (ctx: { model: DbgModel; controller: DbgController; loaded: Promise<void> }) => void
  /** told where a live server listens */
  onListening?: (host: string, port: number) => void
}

const MiB = 1024 * 1024
/** what the process needs besides the model: node, React, Ink, parse garbage */
const RESERVE = 96 * MiB

/** The model's share of --max-mem. */
export function modelBudget(maxMemMb: number): number {
  const base = Math.max(process.memoryUsage().rss, 48 * MiB)
  return Math.max(16 * MiB, maxMemMb * MiB - base - RESERVE)
}

export async function runDbg(opts: DbgOptions): Promise<number> {
  const stdin = opts.stdin ?? process.stdin
  const stdout = opts.stdout ?? process.stdout
  const live = opts.file === undefined
  const listen = opts.listen ?? parseHostPort(DEFAULT_DBG_ADDRESS)!
  const model = new DbgModel({
    budgetBytes: modelBudget(opts.maxMemMb),
    mode: live ? 'live' : 'file',
    source: live ? `${listen.host}:${listen.port}` : opts.file!,
  })
  const abort = new AbortController()
  let loaded: Promise<void> = Promise.resolve()
  let server: LiveServer | undefined
  const needTty = (): void => {
    if (!opts.stdin && !stdin.isTTY) throw new InputError('needs a terminal: stdin is not a TTY')
  }
  if (opts.file !== undefined) {
    // a bad file is reported as such even without a terminal
    const log = await openLog(opts.file)
    needTty()
    loaded = log.load(model, abort.signal)
  } else {
    needTty()
    server = await startLiveServer(model, listen)
    opts.onListening?.(server.host, server.port)
  }
  const alt = opts.altScreen ?? Boolean(stdout.isTTY)
  let restored = false
  const restore = (): void => {
    if (restored || !alt) return
    restored = true
    stdout.write('\x1b[?25h\x1b[?1049l')
  }
  if (alt) stdout.write('\x1b[?1049h\x1b[H')
  process.once('exit', restore)
  let app: ReturnType<typeof render> | undefined
  const controller = new DbgController(model, {
    ...(opts.machine !== undefined ? { machine: opts.machine } : {}),
    ...(opts.tx !== undefined ? { seq: opts.tx } : {}),
    ...(opts.msg !== undefined ? { msg: opts.msg } : {}),
    tail: live,
    ...(opts.exportDir !== undefined ? { exportDir: opts.exportDir } : {}),
    onQuit: () => app?.unmount(),
  })
  const onSignal = (): void => controller.quit()
  process.on('SIGTERM', onSignal)
  process.on('SIGHUP', onSignal)
  // rows unchanged since the last frame are not tokenised again
  await installInkOutputCache()
  try {
    app = render(
      <Root
        controller={controller}
        playMs={opts.playMs ?? 100}
        color={opts.color ?? (!process.env.NO_COLOR && (stdout.hasColors?.() ?? Boolean(stdout.isTTY)))}
        {...(opts.size ? { size: opts.size } : {})}
      />,
      { stdin, stdout, exitOnCtrlC: false, patchConsole: false, maxFps: 60 },
    )
    opts.onStart?.({ model, controller, loaded })
    await app.waitUntilExit()
  } finally {
    process.off('SIGTERM', onSignal)
    process.off('SIGHUP', onSignal)
    abort.abort()
    controller.dispose()
    await server?.close()
    restore()
    process.off('exit', restore)
  }
  return 0
}
