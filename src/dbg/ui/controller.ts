// The debugger's UI state and what keys do to it, held outside React: components render the model
// and an immutable `UiState` snapshot; the controller replaces the snapshot on every change.
import { exportRange } from '../model/export.js'
import type { MachineTrack } from '../model/machine-track.js'
import { type LateMessage, lateMessages, type MessagePath, messagePath, messagesOfTx } from '../model/message-path.js'
import type { DbgModel } from '../model/model.js'
import { first, last, NO_FILTERS, nextChange, step } from '../model/navigate.js'
import { findTx } from '../model/search.js'
import { type TreeRow, treeRows } from '../model/tree.js'
import { exportPath, shortPath } from './export-path.js'
import { type Action, actionOf } from './keys.js'
import { filterPatch, revealed, searchPatch } from './overlay-keys.js'
import type { Focus, KeyLike, UiState, View } from './ui-state.js'

export const FOCUS_ORDER: readonly Focus[] = ['machines', 'states', 'tx']
export const VIEWS: readonly View[] = ['tree', 'matrix', 'rain']

export interface ControllerOptions {
  /** open at this machine id */
  machine?: string
  /** open at this seq of the machine */
  seq?: number
  /** open the message view of this message id once the log has it */
  msg?: string
  /** start in tail mode (live) */
  tail?: boolean
  /** where `e` writes exports (default: the current directory) */
  exportDir?: string
  onQuit?: () => void
}

export class DbgController {
  state: UiState
  private readonly listeners = new Set<() => void>()
  private pending: { machine?: string; seq?: number } | undefined
  private pendingMsg: string | undefined
  private pathCache: { key: string; path: MessagePath } | undefined
  private lateCache: { version: number; list: LateMessage[] } | undefined
  private searchFrom = -1
  private rowsCache: { key: string; rows: TreeRow[] } | undefined
  private readonly unsubscribe: () => void

  constructor(
    readonly model: DbgModel,
    private readonly opts: ControllerOptions = {},
  ) {
    this.state = {
      cursor: model.firstGlobal,
      selected: -1,
      focus: 'machines',
      view: 'tree',
      tail: opts.tail ?? false,
      playing: false,
      filters: NO_FILTERS,
      subtreeRoot: -1,
      stateRow: 0,
      expanded: new Set(),
      collapsed: new Set(),
      overlay: null,
      query: '',
      msg: null,
      lateRow: 0,
      txScroll: 0,
      message: '',
      modelVersion: model.version,
    }
    if (opts.machine !== undefined || opts.seq !== undefined) {
      this.pending = {
        ...(opts.machine !== undefined ? { machine: opts.machine } : {}),
        ...(opts.seq !== undefined ? { seq: opts.seq } : {}),
      }
    }
    this.pendingMsg = opts.msg
    this.unsubscribe = model.subscribe(() => this.onModel())
    this.onModel()
  }

  dispose(): void {
    this.unsubscribe()
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  getState = (): UiState => this.state

  private set(patch: Partial<UiState>): void {
    this.state = { ...this.state, ...patch }
    for (const fn of this.listeners) fn()
  }

  // --- derived -------------------------------------------------------------------------------

  selectedTrack(): MachineTrack | undefined {
    return this.model.machines[this.state.selected]
  }

  /** Local position of the selected machine at the cursor (-1 … total-1). */
  position(t: MachineTrack, s: UiState = this.state): number {
    return this.model.countUpTo(t, s.cursor) - 1
  }

  rows(s: UiState = this.state): TreeRow[] {
    const root = s.filters.onlySubtree ? this.model.machines[s.subtreeRoot] : undefined
    const key = `${this.model.machinesVersion}/${root?.index ?? -1}/${[...s.collapsed].join(',')}`
    if (this.rowsCache?.key !== key) this.rowsCache = { key, rows: treeRows(this.model.machines, s.collapsed, root) }
    return this.rowsCache.rows
  }

  // --- model changes -------------------------------------------------------------------------

  private onModel(): void {
    const m = this.model
    const patch: Partial<UiState> = { modelVersion: m.version }
    let s = this.state
    if (s.selected < 0 && m.machines.length > 0) {
      const row = this.rows(s)[0]
      patch.selected = row ? row.t.index : 0
    }
    if (s.cursor < m.firstGlobal - 1) patch.cursor = m.firstGlobal
    if (s.tail) patch.cursor = m.lastGlobal
    s = { ...s, ...patch }
    this.state = s
    if (this.pending) this.tryPending()
    if (this.pendingMsg !== undefined) this.tryPendingMsg()
    this.set({})
  }

  private tryPending(): void {
    const p = this.pending!
    const m = this.model
    let t = this.selectedTrack()
    if (p.machine !== undefined) {
      t = m.byId.get(p.machine)
      if (!t) {
        if (m.progress.done && m.mode === 'file') {
          this.pending = undefined
          this.state = { ...this.state, message: `--machine ${p.machine}: no such machine in this log` }
        }
        return
      }
      this.state = { ...this.state, selected: t.index, collapsed: revealed(this.model, this.state.collapsed, t) }
      if (p.seq === undefined) {
        this.pending = undefined
        return
      }
    }
    if (!t || p.seq === undefined) return
    const local = m.findSeq(t, p.seq)
    if (local >= 0) {
      this.pending = undefined
      this.state = { ...this.state, cursor: m.globalOf(t, local), tail: false }
    } else if (m.progress.done && m.mode === 'file') {
      this.pending = undefined
      this.state = { ...this.state, message: `--tx ${p.seq}: ${t.id} has no transition with that seq` }
    }
  }

  private tryPendingMsg(): void {
    const id = this.pendingMsg!
    const k = this.model.messages.byId.get(id)
    if (k !== undefined) {
      this.pendingMsg = undefined
      this.state = { ...this.state, overlay: 'message', msg: { index: k, row: 0 } }
    } else if (this.model.progress.done && this.model.mode === 'file') {
      this.pendingMsg = undefined
      this.state = { ...this.state, message: `--msg ${id}: no message with that id in this log` }
    }
  }

  // --- messages ------------------------------------------------------------------------------

  /** The open message's path (recomputed when the model changed). */
  messagePath(s: UiState = this.state): MessagePath | undefined {
    if (!s.msg) return undefined
    const info = this.model.messages.messages[s.msg.index]
    if (!info) return undefined
    const key = `${s.msg.index}/${info.marks.length}/${this.model.machinesVersion}`
    if (this.pathCache?.key !== key) this.pathCache = { key, path: messagePath(this.model, info) }
    return this.pathCache.path
  }

  /** Messages by lateness (recomputed when the model changed). */
  lateList(): LateMessage[] {
    if (this.lateCache?.version !== this.model.version) {
      this.lateCache = { version: this.model.version, list: lateMessages(this.model) }
    }
    return this.lateCache.list
  }

  /** Opens the message view of the message the selected machine's transition at the cursor names. */
  openMessage(): void {
    const t = this.selectedTrack()
    const m = this.model
    if (!t) return
    const upTo = m.countUpTo(t, this.state.cursor)
    if (upTo <= t.dropped) {
      this.set({ message: 'no transition at the cursor' })
      return
    }
    const ids = messagesOfTx(m, m.globalOf(t, upTo - 1))
    if (ids.length === 0) {
      const none = m.messages.messages.length === 0 ? ' (this log has no msg records: a version 2 log has them)' : ''
      this.set({ message: `this transition names no message${none}; L lists the late ones` })
      return
    }
    this.openMessageById(ids[0]!)
  }

  openMessageById(id: string): void {
    const k = this.model.messages.byId.get(id)
    if (k === undefined) {
      this.set({ message: `no message ${id} in this log` })
      return
    }
    this.set({ overlay: 'message', msg: { index: k, row: 0 }, message: '' })
  }

  private messageKey(input: string, key: KeyLike): void {
    const s = this.state
    const path = this.messagePath()
    if (input === 'q' && !key.ctrl) {
      this.quit()
      return
    }
    if (!s.msg || !path || key.escape || input === 'o') {
      this.set({ overlay: null })
      return
    }
    const n = path.hops.length
    const row = (r: number) => this.set({ msg: { index: s.msg!.index, row: Math.max(0, Math.min(n - 1, r)) } })
    if (key.upArrow) row(s.msg.row - 1)
    else if (key.downArrow) row(s.msg.row + 1)
    else if (key.pageUp) row(s.msg.row - 10)
    else if (key.pageDown) row(s.msg.row + 10)
    else if (key.home) row(0)
    else if (key.end) row(n - 1)
    else if (input === 's') {
      if (path.slowest >= 0) row(path.slowest)
      else this.set({ message: 'no hop with a known sender' })
    } else if (input === 'L') this.set({ overlay: 'late' })
    else if (key.return) {
      const h = path.hops[s.msg.row]
      if (!h) return
      if (h.g < 0 || !this.model.store.has(h.g)) {
        this.set({ message: 'that transition is not held (dropped under --max-mem, or not in the log)' })
        return
      }
      this.jumpTo(h.g, { overlay: null })
    }
  }

  private lateKey(input: string, key: KeyLike): void {
    const s = this.state
    if (input === 'q' && !key.ctrl) {
      this.quit()
      return
    }
    if (key.escape || input === 'L') {
      this.set({ overlay: null })
      return
    }
    const list = this.lateList()
    const row = (r: number) => this.set({ lateRow: Math.max(0, Math.min(list.length - 1, r)) })
    if (key.upArrow) row(s.lateRow - 1)
    else if (key.downArrow) row(s.lateRow + 1)
    else if (key.pageUp) row(s.lateRow - 10)
    else if (key.pageDown) row(s.lateRow + 10)
    else if (key.return) {
      const m = list[s.lateRow]
      if (m) this.set({ overlay: 'message', msg: { index: m.msg, row: 0 } })
    }
  }

  /** Selects the machine of transition g and puts the cursor on it. */
  private jumpTo(g: number, patch: Partial<UiState> = {}): void {
    const m = this.model
    const t = m.machines[m.store.machine[g - m.store.base]!]!
    this.set({
      ...patch,
      selected: t.index,
      collapsed: revealed(m, this.state.collapsed, t),
      cursor: g,
      tail: false,
      txScroll: 0,
    })
  }

  /** Goes to the next / previous transition matching the search query. */
  searchNext(dir: 1 | -1): void {
    const q = this.state.query
    if (q === '') {
      this.set({ message: 'nothing to search for: / starts a search' })
      return
    }
    const g = findTx(this.model, q, this.state.cursor, dir)
    if (g < 0) {
      this.set({ message: `no transition matches '${q}'` })
      return
    }
    const tx = this.model.tx(g)
    this.jumpTo(g, { message: `'${q}': ${tx?.event ?? '?'} of ${tx?.machine.id ?? '?'} (n / N: next / previous)` })
  }

  // --- keys ----------------------------------------------------------------------------------

  handleKey(input: string, key: KeyLike): void {
    const s = this.state
    if (key.ctrl && input === 'c') {
      this.quit()
      return
    }
    if (s.overlay === 'search') {
      this.searchKey(input, key)
      return
    }
    if (s.overlay === 'filters') {
      this.filterKey(input, key)
      return
    }
    if (s.overlay === 'message') {
      this.messageKey(input, key)
      return
    }
    if (s.overlay === 'late') {
      this.lateKey(input, key)
      return
    }
    if (s.overlay === 'help') {
      if (input === 'q') {
        this.quit()
        return
      }
      this.set({ overlay: null })
      return
    }
    const a = actionOf(input, key)
    if (a) this.apply(a)
  }

  apply(a: Action): void {
    const s = this.state
    const m = this.model
    const t = this.selectedTrack()
    switch (a.type) {
      case 'quit':
        this.quit()
        return
      case 'help':
        this.set({ overlay: 'help' })
        return
      case 'filters':
        this.set({ overlay: 'filters' })
        return
      case 'search':
        this.searchFrom = s.selected
        this.set({ overlay: 'search', query: '' })
        return
      case 'searchNext':
        this.searchNext(a.dir)
        return
      case 'message':
        this.openMessage()
        return
      case 'late':
        this.set({ overlay: 'late', lateRow: 0 })
        return
      case 'view':
        this.set({ view: VIEWS[(VIEWS.indexOf(s.view) + 1) % VIEWS.length]! })
        return
      case 'tail':
        this.set(s.tail ? { tail: false } : { tail: true, playing: false, cursor: m.lastGlobal })
        return
      case 'play':
        this.set({ playing: !s.playing, tail: false })
        return
      case 'focus': {
        const i = FOCUS_ORDER.indexOf(s.focus)
        this.set({ focus: FOCUS_ORDER[(i + a.dir + FOCUS_ORDER.length) % FOCUS_ORDER.length]! })
        return
      }
      case 'export':
        void this.exportSelected()
        return
    }
    if (a.type === 'move') {
      this.move(a.dir, a.n)
      return
    }
    if (a.type === 'enter') {
      this.enter()
      return
    }
    if (!t) return
    const pos = this.position(t)
    switch (a.type) {
      case 'step':
        this.goto(t, step(m, t, pos, a.dir, a.n, s.filters))
        return
      case 'home':
        this.goto(t, first(m, t, s.filters))
        return
      case 'end':
        this.goto(t, last(m, t, s.filters))
        return
      case 'change': {
        const q = nextChange(m, t, pos, a.dir, s.stateRow)
        if (q < 0) {
          const name = t.states[s.stateRow]?.name ?? '?'
          this.set({ message: `no ${a.dir > 0 ? 'later' : 'earlier'} change of ${name}` })
          return
        }
        this.goto(t, q)
        return
      }
    }
  }

  /** Moves the cursor to the machine's tx at `local` (t.dropped - 1: before its first tx). */
  private goto(t: MachineTrack, local: number): void {
    const m = this.model
    let cursor: number
    if (local >= t.dropped) cursor = m.globalOf(t, local)
    else if (t.txs.length > 0) cursor = m.globalOf(t, t.dropped) - 1
    else return
    this.set({ cursor, tail: false, txScroll: 0, message: '' })
  }

  /** One playback step; stops at the end of a file. */
  playStep(): void {
    const s = this.state
    const t = this.selectedTrack()
    if (!s.playing || !t) return
    const pos = this.position(t)
    const next = step(this.model, t, pos, 1, 1, s.filters)
    if (next === pos) {
      if (this.model.mode === 'file' && this.model.progress.done) this.set({ playing: false, message: 'end of log' })
      return
    }
    this.set({ cursor: this.model.globalOf(t, next), txScroll: 0 })
  }

  private move(dir: 1 | -1, n: number): void {
    const s = this.state
    if (s.focus === 'machines') {
      const rows = this.rows()
      if (rows.length === 0) return
      const i = Math.max(
        0,
        rows.findIndex((r) => r.t.index === s.selected),
      )
      const j = Math.max(0, Math.min(rows.length - 1, i + dir * n))
      this.set({ selected: rows[j]!.t.index, stateRow: 0, txScroll: 0 })
      return
    }
    if (s.focus === 'states') {
      const t = this.selectedTrack()
      if (!t) return
      this.set({ stateRow: Math.max(0, Math.min(t.nStates - 1, s.stateRow + dir * n)) })
      return
    }
    this.set({ txScroll: Math.max(0, s.txScroll + dir * n) })
  }

  private enter(): void {
    const s = this.state
    if (s.focus === 'machines') {
      const c = new Set(s.collapsed)
      if (c.has(s.selected)) c.delete(s.selected)
      else c.add(s.selected)
      this.set({ collapsed: c })
      return
    }
    if (s.focus === 'states') {
      const name = this.selectedTrack()?.states[s.stateRow]?.name
      if (name === undefined) return
      const e = new Set(s.expanded)
      if (e.has(name)) e.delete(name)
      else e.add(name)
      this.set({ expanded: e })
      return
    }
  }

  // --- search --------------------------------------------------------------------------------

  private searchKey(input: string, key: KeyLike): void {
    const enter = key.return === true && this.state.query !== ''
    this.set(searchPatch(this.model, this.state, input, key, this.searchFrom))
    // enter: on to the next transition that matches (machine, event, args, log text)
    if (enter) this.searchNext(1)
  }

  // --- filters -------------------------------------------------------------------------------

  private filterKey(input: string, key: KeyLike): void {
    if (input === 'q' && !key.ctrl) {
      this.quit()
      return
    }
    this.set(filterPatch(this.state, input, key))
  }

  // --- export --------------------------------------------------------------------------------

  async exportSelected(): Promise<string | undefined> {
    const t = this.selectedTrack()
    const m = this.model
    const s = this.state
    if (!t) return undefined
    if (s.cursor < m.firstGlobal) {
      this.set({ message: 'nothing to export: the cursor is before the first transition' })
      return undefined
    }
    const path = exportPath(this.opts.exportDir ?? process.cwd(), t.id, s.cursor - m.firstGlobal + 1)
    this.set({ message: `exporting ${t.id} to ${shortPath(path)}…` })
    try {
      const r = await exportRange(m, t, m.firstGlobal, s.cursor, path)
      this.set({
        message: `exported ${r.txs} txs of ${r.machines} machine${r.machines === 1 ? '' : 's'} to ${shortPath(path)}`,
      })
      return path
    } catch (err) {
      this.set({ message: `export failed: ${(err as Error).message}` })
      return undefined
    }
  }

  quit(): void {
    this.set({ playing: false })
    this.opts.onQuit?.()
  }
}
