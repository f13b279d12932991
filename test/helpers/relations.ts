// Test helper: checks a machine's snapshots against the relations its derived schema declares
// (require, remove and groups, add, auto), and drives it through a seeded random walk of events.
// The schema is read from the machine itself; the behaviour is the machine running: so a table that
// says one thing while the machine does another fails here.
import { type AnyStateMachine, createActor, fromPromise, SimulatedClock } from 'xstate'
import { stub } from '../../machines/events.js'
import { compileProbe, deriveMachine, type StateSchema } from '../../machines/schema.js'
import { createRng, type Rng } from '../../src/rng.js'

interface SnapshotLike {
  value: unknown
  context: unknown
  status: string
}

export interface RelationChecker {
  /** violations of the declared relations in `next` (given the snapshot before it) */
  check(prev: SnapshotLike | undefined, next: SnapshotLike, event?: { type: string }): string[]
  /** violations of negotiation: `add.X` and Multi X are taken exactly when X could be added before */
  checkEvent(before: SnapshotLike, event: { type: string }, taken: { accepted: boolean; fired: boolean }): string[]
  active(s: SnapshotLike): Set<string>
  states: StateSchema[]
}

type GuardFn = (a: { context: unknown; event: unknown }, params: unknown) => boolean

export function relationChecker(machine: AnyStateMachine): RelationChecker {
  const { schema, probes } = deriveMachine(machine)
  const probe = compileProbe(probes)
  const states = schema.states
  const byName = new Map(states.map((s) => [s.name, s]))
  const meta = (machine.root.meta as { psm?: { negotiation?: Record<string, string> } } | undefined)?.psm
  const negotiation = meta?.negotiation ?? {}
  const guards = (machine.implementations.guards ?? {}) as Record<string, unknown>
  const removers = new Map<string, string[]>(states.map((s) => [s.name, []]))
  for (const s of states) for (const x of s.remove ?? []) removers.get(x)?.push(s.name)

  const active = (s: SnapshotLike): Set<string> => {
    const mask = probe(s)
    return new Set(states.filter((_, i) => mask & (1 << i)).map((x) => x.name))
  }
  /** the negotiation guard's answer, or undefined when it cannot be evaluated from outside */
  const can = (x: string, s: SnapshotLike): boolean | undefined => {
    const name = negotiation[x]
    if (!name) return true
    const g = guards[name]
    if (typeof g !== 'function') return undefined
    return (g as GuardFn)({ context: s.context, event: { type: `add.${x}` } }, undefined)
  }
  const requireHolds = (x: string, on: Set<string>) => (byName.get(x)?.require ?? []).every((r) => on.has(r))
  /** could `add.X` activate X now (asyncmachine: requirements, not removed by an active state it keeps) */
  const addable = (x: string, on: Set<string>, s: SnapshotLike): boolean | undefined => {
    if (!requireHolds(x, on)) return false
    const keeps = new Set(byName.get(x)?.remove ?? [])
    if ((removers.get(x) ?? []).some((r) => on.has(r) && !keeps.has(r))) return false
    return can(x, s)
  }

  const check = (prev: SnapshotLike | undefined, next: SnapshotLike, event?: { type: string }): string[] => {
    const out: string[] = []
    const on = active(next)
    const before = prev ? active(prev) : new Set<string>()
    const groups = new Map<string, string[]>()
    for (const x of on) {
      const s = byName.get(x)!
      for (const r of s.require ?? []) if (!on.has(r)) out.push(`${x} is active without its requirement ${r}`)
      for (const r of s.remove ?? []) if (on.has(r)) out.push(`${x} is active together with ${r}, which it removes`)
      if (s.group) groups.set(s.group, [...(groups.get(s.group) ?? []), x])
    }
    for (const [g, xs] of groups) if (xs.length > 1) out.push(`group ${g} has ${xs.join(' and ')} active`)
    for (const s of states) {
      if (!s.auto || on.has(s.name)) continue
      const blocked = (removers.get(s.name) ?? []).some((r) => on.has(r))
      if (requireHolds(s.name, on) && !blocked && can(s.name, next) === true) {
        out.push(`auto ${s.name} could activate but is not active`)
      }
    }
    // what activated in this step, plus a Multi state that fired (its requirements held before)
    const activated = [...on].filter((x) => !before.has(x))
    const fired = event ? byName.get(event.type) : undefined
    if (fired?.multi && prev && requireHolds(fired.name, before) && can(fired.name, prev) === true) {
      activated.push(fired.name)
    }
    for (const x of activated) {
      for (const y of byName.get(x)?.add ?? []) {
        if (!on.has(y) && addable(y, on, next) === true) out.push(`${x} activated but did not add ${y}`)
      }
    }
    return out
  }
  const checkEvent = (
    before: SnapshotLike,
    event: { type: string },
    taken: { accepted: boolean; fired: boolean },
  ): string[] => {
    const on = active(before)
    const multi = byName.get(event.type)
    if (multi?.multi) {
      const could = addable(multi.name, on, before)
      if (could === undefined) return []
      if (could && !taken.fired) return [`Multi ${multi.name} could fire but its action did not run`]
      if (!could && taken.fired) return [`Multi ${multi.name} fired although its requirements or negotiation refuse it`]
      return []
    }
    if (!event.type.startsWith('add.')) return []
    const x = event.type.slice('add.'.length)
    const could = addable(x, on, before)
    if (could === false && taken.accepted) return [`add.${x} was accepted although ${x} could not be added`]
    if (could === true && !on.has(x) && !taken.accepted) return [`add.${x} was refused although ${x} could be added`]
    return []
  }
  return { check, checkEvent, active, states }
}

export interface WalkOptions {
  seed: number
  steps: number
  input?: unknown
  /** invoked actors fail at random (fakes, no I/O) instead of the machine's own stubs */
  failingActors?: boolean
}

export interface WalkResult {
  violations: string[]
  /** every state that was active at some snapshot */
  seen: Set<string>
  /** ids of the children the machine had at some snapshot (spawned or invoked) */
  children: Set<string>
  snapshots: number
}

const DELAYS = [0, 1, 10, 100, 600, 1100, 5000]

/** Drives `machine` through a seeded random sequence of its own events, clock ticks and settled actors. */
export async function randomWalk(machine: AnyStateMachine, opts: WalkOptions): Promise<WalkResult> {
  const rng: Rng = createRng(opts.seed)
  const checker = relationChecker(machine)
  // a Multi state's action runs when it fires: spies stand in for the stubs; a Multi whose action the
  // machine declares itself (e.g. spawning a child) keeps it, and fired when its transition was taken
  let fired = false
  const actions = (machine.implementations.actions ?? {}) as Record<string, unknown>
  const declared = new Set(checker.states.filter((s) => s.multi && actions[s.name] !== stub).map((s) => s.name))
  const spies = Object.fromEntries(
    checker.states.filter((s) => s.multi && !declared.has(s.name)).map((s) => [s.name, () => (fired = true)]),
  )
  const logic = (opts.failingActors ? withFailingActors(machine, rng) : machine).provide({ actions: spies })
  const events: Array<{ type: string; args?: Record<string, unknown> }> = []
  for (const s of checker.states) {
    if (s.multi) events.push({ type: s.name, args: { topic: 't1', peer: 'p1' } })
    else if (s.name === 'Exception') events.push({ type: 'Exception', args: { error: 'boom' } })
    // args name a peer and a topic: a state whose activation spawns a child (AddPeer, AddTopic) spawns it
    else events.push({ type: `add.${s.name}`, args: { peer: 1, topic: 't1' } })
    if (!s.multi) events.push({ type: `remove.${s.name}` })
  }
  const clock = new SimulatedClock()
  let current: { type: string } | undefined
  let accepted = false
  const actor = createActor(logic, {
    clock,
    inspect: (ev: { type: string; event?: unknown; _transitions?: unknown[] }) => {
      if (ev.type === '@xstate.microstep' && ev.event === current && (ev._transitions?.length ?? 0) > 0) accepted = true
    },
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  } as Parameters<typeof createActor>[1])
  const violations: string[] = []
  const seen = new Set<string>()
  const children = new Set<string>()
  let prev: SnapshotLike | undefined
  let snapshots = 0
  let step = 0
  actor.subscribe({
    next: (s) => {
      snapshots++
      for (const v of checker.check(prev, s, current))
        violations.push(`step ${step} (${current?.type ?? 'tick'}): ${v}`)
      for (const x of checker.active(s)) seen.add(x)
      for (const id of Object.keys((s as { children?: object }).children ?? {})) children.add(id)
      prev = s
    },
    error: (err) => violations.push(`step ${step}: the actor failed: ${String(err)}`),
  })
  actor.start()
  for (; step < opts.steps; step++) {
    const r = rng.next()
    if (r < 0.6) {
      const e = events[rng.int(events.length)]!
      const before = actor.getSnapshot()
      current = e
      accepted = false
      fired = false
      actor.send(e as never)
      if (declared.has(e.type)) fired = accepted
      for (const v of checker.checkEvent(before, e, { accepted, fired })) violations.push(`step ${step}: ${v}`)
      // a refused event emits no snapshot: check the relations still hold, and note a Multi that fired
      if (actor.getSnapshot() === before) {
        for (const v of checker.check(before, before, e)) violations.push(`step ${step} (${e.type}): ${v}`)
      }
      current = undefined
    } else if (r < 0.8) {
      clock.increment(DELAYS[rng.int(DELAYS.length)]!)
    } else {
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }
  const status = actor.getSnapshot().status
  if (status !== 'active') violations.push(`the actor ended ${status}`)
  actor.stop()
  return { violations, seen, children, snapshots }
}

/**
 * The machine with every child it invokes or spawns replaced by a fake that settles on a later tick and
 * sometimes fails: a failing spawned child must become the parent's Exception, never fail the parent.
 */
function withFailingActors(machine: AnyStateMachine, rng: Rng): AnyStateMachine {
  const names = Object.keys(machine.implementations.actors ?? {})
  const fake = fromPromise(async () => {
    await new Promise<void>((resolve) => setImmediate(resolve))
    if (rng.next() < 0.3) throw new Error('work failed')
    return rng.next() < 0.5
  })
  return machine.provide({ actors: Object.fromEntries(names.map((n) => [n, fake])) })
}
