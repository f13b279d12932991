// Keys of the debugger: what each does (for the help overlay and `psm dbg --help`) and how a key
// press, as Ink reports it, maps to an action of the controller.
import type { Key } from 'ink'

export type Action =
  | { type: 'step'; dir: 1 | -1; n: number }
  | { type: 'change'; dir: 1 | -1 }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'play' }
  | { type: 'focus'; dir: 1 | -1 }
  | { type: 'move'; dir: 1 | -1; n: number }
  | { type: 'enter' }
  | { type: 'search' }
  | { type: 'searchNext'; dir: 1 | -1 }
  | { type: 'message' }
  | { type: 'late' }
  | { type: 'filters' }
  | { type: 'view' }
  | { type: 'tail' }
  | { type: 'export' }
  | { type: 'help' }
  | { type: 'quit' }

export const JUMP = 50

export const KEY_HELP: ReadonlyArray<readonly [string, string]> = [
  ['← / →', 'step one transition of the selected machine'],
  ['shift+← / →', `jump ${JUMP} transitions (alt+← / → too)`],
  ['[ / ]', 'previous / next change of the selected state'],
  ['home / end', 'first / last transition'],
  ['space', 'play / pause'],
  ['tab', 'cycle focus: machines, states, transition'],
  ['↑ / ↓', 'move in the focused pane (pgup / pgdn: 10)'],
  ['enter', 'expand / collapse (machine children, state relations)'],
  [
    '/',
    'search: machine ids as you type; enter goes to the next transition whose machine, event, args (message ids, topics, peer names) or log text match',
  ],
  ['n / N', 'next / previous transition matching the search'],
  [
    'o',
    "message view of the transition's message: its path from the publisher, hop by hop (s: slowest hop, enter: go to that hop's transition, esc: back)",
  ],
  ['L', 'late messages: slowest to reach 99% of their subscribers first (enter opens the message view)'],
  ['f', 'filters: hide refused, hide Multi-only, only this machine and children'],
  ['m', 'cycle views: tree + log, matrix, rain'],
  ['v', 'toggle tail (follow the newest transition)'],
  ['e', 'export the selected machine, its children and txs up to the cursor to .jsonl'],
  ['?', 'this help'],
  ['q / ctrl+c', 'quit'],
]

/** The action of a key in the main screen (no overlay open), if any. */
export function actionOf(input: string, key: Key): Action | undefined {
  const far = key.shift || key.meta
  if (key.ctrl && input === 'c') return { type: 'quit' }
  if (key.leftArrow) return { type: 'step', dir: -1, n: far ? JUMP : 1 }
  if (key.rightArrow) return { type: 'step', dir: 1, n: far ? JUMP : 1 }
  if (key.upArrow) return { type: 'move', dir: -1, n: 1 }
  if (key.downArrow) return { type: 'move', dir: 1, n: 1 }
  if (key.pageUp) return { type: 'move', dir: -1, n: 10 }
  if (key.pageDown) return { type: 'move', dir: 1, n: 10 }
  if (key.home) return { type: 'home' }
  if (key.end) return { type: 'end' }
  if (key.tab) return { type: 'focus', dir: key.shift ? -1 : 1 }
  if (key.return) return { type: 'enter' }
  switch (input) {
    case '[':
      return { type: 'change', dir: -1 }
    case ']':
      return { type: 'change', dir: 1 }
    case ' ':
      return { type: 'play' }
    case '/':
      return { type: 'search' }
    case 'n':
      return { type: 'searchNext', dir: 1 }
    case 'N':
      return { type: 'searchNext', dir: -1 }
    case 'o':
      return { type: 'message' }
    case 'L':
      return { type: 'late' }
    case 'f':
      return { type: 'filters' }
    case 'm':
      return { type: 'view' }
    case 'v':
      return { type: 'tail' }
    case 'e':
      return { type: 'export' }
    case '?':
      return { type: 'help' }
    case 'q':
      return { type: 'quit' }
  }
  return undefined
}
