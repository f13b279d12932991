// Runs commands in a detached tmux session (a real terminal) and reads the screen back, for the
// end-to-end tests of `psm dbg`. CI installs tmux (.ci/run).
import { execFileSync } from 'node:child_process'

export interface Tmux {
  name: string
  /** the visible screen, as plain text */
  screen(): string
  keys(...keys: string[]): void
  /** polls the screen until `pred` holds; throws with the last screen after `ms` */
  waitFor(pred: (screen: string) => boolean, ms?: number): Promise<string>
  kill(): void
}

let counter = 0
// one tmux server per test process: with the default shared server, the last session killed in one test
// file stops the server while another file's `new-session` is connecting ("server exited unexpectedly")
const SOCKET = ['-L', `psm-test-${process.pid}`]

export function startTmux(command: string, width = 120, height = 36): Tmux {
  const name = `psm-dbg-test-${process.pid}-${++counter}`
  execFileSync(
    'tmux',
    [...SOCKET, 'new-session', '-d', '-s', name, '-x', String(width), '-y', String(height), command],
    {
      env: { ...process.env, TERM: 'xterm-256color' },
    },
  )
  const screen = (): string => {
    try {
      return execFileSync('tmux', [...SOCKET, 'capture-pane', '-p', '-t', name], { encoding: 'utf8' })
    } catch {
      return ''
    }
  }
  return {
    name,
    screen,
    keys: (...keys) => {
      execFileSync('tmux', [...SOCKET, 'send-keys', '-t', name, ...keys])
    },
    async waitFor(pred, ms = 15_000) {
      const end = Date.now() + ms
      for (;;) {
        const s = screen()
        if (pred(s)) return s
        if (Date.now() > end) throw new Error(`timed out; the screen shows:\n${s}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    },
    kill: () => {
      try {
        execFileSync('tmux', [...SOCKET, 'kill-session', '-t', name], { stdio: 'ignore' })
      } catch {}
    },
  }
}
