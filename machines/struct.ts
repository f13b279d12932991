// Relations declared once: an asyncmachine-style state table (its `am.Struct`) compiled into the
// pieces of an xstate v5 machine — regions, root events, guards, actions — and into the `meta` that
// `deriveMachine` reads back, so the schema the debugger shows and the behaviour are one declaration.
//
// A machine file holds the table (relations) and, beside it, only the behaviour that is its own:
// negotiation guards, invoked actors, delays, entry actions. What the table means, per state X:
//   add.X      activates X when its `require` holds, no active state removes X (unless X removes that
//              state back, as the members of a group do) and X's negotiation guard (`can`) allows it;
//              otherwise the event is refused.
//   require    an active X whose requirement is lost is deactivated in the same step.
//   remove.X   deactivates X.
//   auto       X activates by itself whenever it could be added and no active state removes it.
//   add/remove when X activates (by any route: event, auto, an actor's completion) its `add` states are
//              added and its `remove` states removed, raised in the same macrostep (one record).
//   multi      X is a root event: it runs the action X when it could be added; its `add`/`remove` follow.
//   groups     members are mutually exclusive: one compound region whose children are the members.
//   flags      held as bits in `context.flags` and set at the root: hot machines stay flat (one event,
//              no regions to walk), and a state without behaviour of its own costs no region. A flag
//              with add/remove effects flips like a region (add refused while set, remove while clear);
//              one without (the host's, whose handler works per call) takes every add and remove.
//   Exception  every machine has it: a flag set by the `Exception` event, cleared by `remove.Exception`.
import { and, assign, not, raise, stateIn } from 'xstate'
import type { Args } from './events.js'
import { stub } from './events.js'
import { ACTIVE, boolMeta, groupMeta, INACTIVE, NONE, type Relations, rootMeta } from './schema.js'

export interface StateDef extends Relations {
  /** fires on every call (a root event carrying args); never stays active */
  multi?: boolean
}

export interface StructDef<S extends string> {
  type: string
  /** every state in display order (Exception is appended when absent) */
  states: Readonly<Record<S, StateDef>>
  /** mutually exclusive groups: the group's name is its region's name */
  groups?: Readonly<Record<string, readonly NoInfer<S>[]>>
  /** states held as bits in `context.flags`, in bit order (Exception follows them) */
  flags?: readonly NoInfer<S>[]
}

/** A fragment of an xstate state-node config, merged into a generated node. */
export type NodeConfig = Record<string, unknown>

/** What a state does beyond its relations: the part of a machine that is truly its own. */
export interface StateBehaviour {
  /** negotiation (asyncmachine's Enter handler): a named guard of the machine that may refuse X */
  can?: string
  /**
   * Merged into the node that is current while X is active: `invoke` (work cancelled when X ends),
   * `after`, `entry`, `exit`, `on`. Targets are `INACTIVE` (bool states), `NONE` or a sibling member
   * (group states). Children declared here (`invoke`, later `spawn`) belong to X's lifetime.
   */
  active?: NodeConfig
}

export interface Behaviour<S extends string> {
  states?: Partial<Record<S, StateBehaviour>>
  /** root transitions for events that are not states (e.g. the simulator's forwarded peer progress) */
  on?: NodeConfig
}

/** The generated pieces: spread `actions`/`guards` into `setup`, `config(behaviour)` into `createMachine`. */
export interface Struct<S extends string> {
  type: string
  /** bit of each flag in `context.flags` (Exception included) */
  bits: Readonly<Record<S | 'Exception', number>>
  // `never` values: generated implementations fit any machine's `setup` (xstate checks them at run time);
  // keyed by state name so `.provide` checks the names of the handlers src/ binds (Multi states, flags)
  actions: Readonly<Record<S | 'Exception' | 'setFlag' | 'clearFlag' | 'raiseException', never>>
  guards: Readonly<Record<'noException', never>>
  /** a parallel root: one region per bool state and per group */
  config(behaviour?: Behaviour<S>): StructConfig
  /** a flat root for hot machines whose states are all flags or Multi (no region to walk per event) */
  flatConfig(behaviour?: Behaviour<S>): FlatConfig
}

export interface FlatConfig {
  meta: object
  // opaque to the type checker (`never` fits any machine's event union); xstate checks it at creation
  on: Readonly<Record<string, never>>
}

/** Typed just enough for xstate to infer the state value: each region mapped to its current child. */
export interface StructConfig extends FlatConfig {
  type: 'parallel'
  states: Record<string, { states: Record<string, object> }>
}

type Guard = unknown
type Probe = { flag: number } | { region: string; value: string }

const EXCEPTION = 'Exception'

/** The args of the event that caused a transition (undefined for events without them). */
function argsOf(event: unknown): Args | undefined {
  return (event as { args?: Args }).args
}

/** Input of an action actor: the args of the event that activated its state. */
const argsInput = ({ event }: { event: unknown }): { args: Args | undefined } => ({ args: argsOf(event) })

/**
 * Behaviour of a state whose work is an invoked actor `src`: active while it runs, deactivated when it
 * ends, an Exception when it throws.
 */
export function work(src: string): NodeConfig {
  return {
    invoke: {
      id: src,
      src,
      input: argsInput,
      onDone: INACTIVE,
      onError: { target: INACTIVE, actions: 'raiseException' },
    },
  }
}

const CHILD_ERROR = 'xstate.error.actor.'

/**
 * Root behaviour of a parent: a spawned child that fails becomes the parent's Exception (left unhandled,
 * xstate would fail the parent with it). `spawned` tells a spawned child's id from an invoked actor's,
 * whose own state handles its error.
 */
export function childFailures(spawned: (id: string) => boolean): NodeConfig {
  return {
    [`${CHILD_ERROR}*`]: {
      guard: ({ event }: { event: { type: string } }) => spawned(event.type.slice(CHILD_ERROR.length)),
      actions: 'raiseException',
    },
  }
}

/** One entry per name: tables of many alike states (the pubsub host's Multi operations, the sim's actions). */
export function each<K extends string, V>(names: readonly K[], value: (name: K) => V): Record<K, V> {
  return Object.fromEntries(names.map((n) => [n, value(n)])) as Record<K, V>
}

function all(guards: Guard[]): Guard | undefined {
  if (guards.length === 0) return undefined
  if (guards.length === 1) return guards[0]
  return and(guards as never)
}

const isSet =
  (bit: number): Guard =>
  ({ context }: { context: { flags: number } }) =>
    (context.flags & bit) !== 0
const isClear =
  (bit: number): Guard =>
  ({ context }: { context: { flags: number } }) =>
    (context.flags & bit) === 0

function asArray(x: unknown): unknown[] {
  if (x === undefined) return []
  return Array.isArray(x) ? x : [x]
}

export function defineStruct<S extends string>(def: StructDef<S>): Struct<S> {
  const names = Object.keys(def.states) as S[]
  const table = new Map<string, StateDef>(names.map((n) => [n, def.states[n]]))
  if (!table.has(EXCEPTION)) table.set(EXCEPTION, {})
  const order = [...table.keys()]
  const flags = [...(def.flags ?? []), ...(def.flags?.includes(EXCEPTION as S) ? [] : [EXCEPTION])]
  const bits: Record<string, number> = {}
  flags.forEach((f, i) => {
    bits[f] = 1 << i
  })
  const groupOf = new Map<string, string>()
  for (const [g, members] of Object.entries(def.groups ?? {})) {
    for (const m of members as readonly string[]) {
      if (groupOf.has(m)) throw new Error(`${def.type}: ${m} is in two groups`)
      groupOf.set(m, g)
    }
  }

  // remove relations with the group's implied ones, and who removes whom
  const removes = new Map<string, Set<string>>()
  for (const [n, s] of table) {
    const r = new Set(s.remove ?? [])
    const g = groupOf.get(n)
    if (g) for (const m of def.groups?.[g] ?? []) if (m !== n) r.add(m)
    removes.set(n, r)
  }
  const removers = new Map<string, string[]>(order.map((n) => [n, []]))
  for (const [n, r] of removes) for (const x of r) removers.get(x)?.push(n)

  for (const [n, s] of table) {
    for (const x of [...(s.require ?? []), ...(s.add ?? []), ...(s.remove ?? [])]) {
      if (!table.has(x)) throw new Error(`${def.type}: ${n} names an unknown state ${x}`)
      if (table.get(x)?.multi) throw new Error(`${def.type}: ${n} relates to ${x}, a Multi state (it is never active)`)
    }
    if (s.multi && (s.auto || groupOf.has(n) || bits[n] !== undefined)) {
      throw new Error(`${def.type}: Multi state ${n} cannot be auto, grouped or a flag`)
    }
    // a flag lives at the root: an `always` there would run on every event of a hot machine
    if (bits[n] !== undefined && (s.auto || s.require?.length || groupOf.has(n))) {
      throw new Error(`${def.type}: flag ${n} takes no require, auto or group`)
    }
  }

  const probe = (x: string): Probe => {
    const bit = bits[x]
    if (bit !== undefined) return { flag: bit }
    const g = groupOf.get(x)
    return g ? { region: g, value: x } : { region: x, value: ACTIVE }
  }
  const isActive = (x: string): Guard => {
    const p = probe(x)
    if ('flag' in p) return isSet(p.flag)
    return stateIn({ [p.region]: p.value })
  }
  const requireOf = (x: string): Guard[] => (table.get(x)?.require ?? []).map(isActive)

  const build = (behaviour: Behaviour<S>): { meta: object; on: NodeConfig; states: NodeConfig } => {
    const bh = (x: string): StateBehaviour => behaviour.states?.[x as S] ?? {}
    const canOf = (x: string): Guard[] => {
      const c = bh(x).can
      return c ? [c] : []
    }
    /** guard of `add.X`: requirements, not removed by an active state it does not remove back, negotiation */
    const addGuard = (x: string): Guard | undefined => {
      const blockers = (removers.get(x) ?? []).filter((s) => !removes.get(x)?.has(s))
      return all([...requireOf(x), ...blockers.map((s) => not(isActive(s) as never)), ...canOf(x)])
    }
    /** guard of auto activation: as `add.X`, and nothing active removes X */
    const autoGuard = (x: string): Guard | undefined =>
      all([...requireOf(x), ...(removers.get(x) ?? []).map((s) => not(isActive(s) as never)), ...canOf(x)])
    const dropGuard = (x: string): Guard | undefined => {
      const req = requireOf(x)
      return req.length === 0 ? undefined : not(all(req) as never)
    }
    /** raised when X activates: its adds (with the transition's args) and its removes */
    const effects = (x: string): unknown[] => {
      const s = table.get(x) ?? {}
      const g = groupOf.get(x)
      const siblings = new Set<string>(g ? def.groups?.[g] : [])
      const out: unknown[] = []
      for (const y of s.add ?? []) {
        out.push(raise(({ event }: { event: unknown }) => ({ type: `add.${y}`, args: { state: x, ...argsOf(event) } })))
      }
      for (const z of s.remove ?? []) if (!siblings.has(z)) out.push(raise({ type: `remove.${z}` }))
      return out
    }
    const transition = (target: string, guard: Guard | undefined) => (guard ? { target, guard } : { target })
    /** the compiled node of an active state, with the state's own behaviour merged in */
    const activeNode = (x: string, on: NodeConfig, drop: unknown): NodeConfig => {
      const own = bh(x).active ?? {}
      // behaviour adds to the relations, never replaces them: the table stays the one truth
      for (const e of Object.keys((own.on as NodeConfig | undefined) ?? {})) {
        if (e in on) throw new Error(`${def.type}: the behaviour of ${x} redefines ${e}, which its relations handle`)
      }
      const entry = [...effects(x), ...asArray(own.entry)]
      const always = [...asArray(drop), ...asArray(own.always)]
      return {
        ...own,
        on: { ...on, ...(own.on as NodeConfig | undefined) },
        ...(entry.length ? { entry } : {}),
        ...(always.length ? { always } : {}),
      }
    }

    const states: NodeConfig = {}
    const rootOn: NodeConfig = {}
    for (const x of flags) {
      // a flag has no node: behaviour that needs one would be dropped silently
      if (bh(x).active) throw new Error(`${def.type}: flag ${x} has no node for its behaviour (make it a region)`)
    }
    for (const x of order) {
      const s = table.get(x) ?? {}
      const bit = bits[x]
      if (s.multi) {
        const guard = addGuard(x)
        const fx = effects(x)
        // kept minimal when there is nothing else to do: the pubsub host's driver reads this shape
        rootOn[x] = { ...(guard ? { guard } : {}), actions: fx.length ? [x, ...fx] : x }
      } else if (bit !== undefined) {
        const set = { type: 'setFlag', params: { bit } }
        const clear = { type: 'clearFlag', params: { bit } }
        const fx = effects(x)
        // a flag whose activation has effects flips like a region-held state: add.X is refused while X is
        // set (its effects run once per activation) and remove.X while it is clear; a flag without
        // effects (the host's, whose handler works per call) takes every add.X and remove.X
        const flips = fx.length > 0
        const guard = x === EXCEPTION ? undefined : all([...asArray(addGuard(x)), ...(flips ? [isClear(bit)] : [])])
        rootOn[x === EXCEPTION ? EXCEPTION : `add.${x}`] = {
          ...(guard ? { guard } : {}),
          actions: [set, x, ...fx],
        }
        rootOn[`remove.${x}`] = flips ? { guard: isSet(bit), actions: clear } : { actions: clear }
      } else if (groupOf.has(x)) {
        const g = groupOf.get(x)!
        if (states[g]) continue
        const members = (def.groups?.[g] ?? []) as readonly string[]
        const noneOn: NodeConfig = {}
        const autos: unknown[] = []
        for (const m of members) {
          noneOn[`add.${m}`] = transition(m, addGuard(m))
          if (table.get(m)?.auto) autos.push(transition(m, autoGuard(m)))
        }
        const children: NodeConfig = { [NONE]: { on: noneOn, ...(autos.length ? { always: autos } : {}) } }
        for (const m of members) {
          const on: NodeConfig = { [`remove.${m}`]: NONE }
          for (const o of members) if (o !== m) on[`add.${o}`] = transition(o, addGuard(o))
          const drop = dropGuard(m)
          children[m] = activeNode(m, on, drop ? { target: NONE, guard: drop } : undefined)
        }
        states[g] = {
          meta: groupMeta(Object.fromEntries(members.map((m) => [m, table.get(m) ?? {}]))),
          initial: NONE,
          states: children,
        }
      } else {
        const auto = s.auto ? { always: transition(ACTIVE, autoGuard(x)) } : {}
        const drop = dropGuard(x)
        states[x] = {
          meta: boolMeta(s),
          initial: INACTIVE,
          states: {
            [INACTIVE]: { on: { [`add.${x}`]: transition(ACTIVE, addGuard(x)) }, ...auto },
            [ACTIVE]: activeNode(
              x,
              { [`remove.${x}`]: INACTIVE },
              drop ? { target: INACTIVE, guard: drop } : undefined,
            ),
          },
        }
      }
    }
    const rootExtra = (extra: NodeConfig): NodeConfig => {
      for (const e of Object.keys(extra)) {
        if (e in rootOn) throw new Error(`${def.type}: a root transition redefines ${e}, which the relations handle`)
      }
      return extra
    }
    const rel = (n: string): Relations => {
      const { multi: _, ...r } = table.get(n) ?? {}
      return r
    }
    const multis = order.filter((n) => table.get(n)?.multi)
    const negotiated = order.filter((n) => bh(n).can)
    return {
      states,
      meta: rootMeta({
        type: def.type,
        order,
        flags: Object.fromEntries(flags.map((f) => [f, rel(f)])),
        ...(multis.length ? { multi: Object.fromEntries(multis.map((m) => [m, rel(m)])) } : {}),
        ...(negotiated.length ? { negotiation: Object.fromEntries(negotiated.map((n) => [n, bh(n).can!])) } : {}),
      }),
      on: { ...rootOn, ...rootExtra(behaviour.on ?? {}) },
    }
  }

  // one action per Multi state and flag (the state's handler, bound by src/ with `.provide`)
  const handlers: Record<string, unknown> = {}
  for (const n of order) if (table.get(n)?.multi || bits[n] !== undefined) handlers[n] = stub
  const actions: Record<string, unknown> = {
    ...handlers,
    setFlag: assign({
      flags: ({ context }: { context: { flags: number } }, p: { bit: number }) => context.flags | p.bit,
    }),
    clearFlag: assign({
      flags: ({ context }: { context: { flags: number } }, p: { bit: number }) => context.flags & ~p.bit,
    }),
    /** an invoked actor threw: the machine records it as its Exception state */
    raiseException: raise(({ event }: { event: unknown }) => ({
      type: EXCEPTION,
      args: { error: String((event as { error?: unknown }).error) },
    })),
  }
  const guards: Record<string, unknown> = {
    /** negotiation shared by machines whose automatic work pauses while Exception is active */
    noException: ({ context }: { context: { flags: number } }) => (context.flags & (bits[EXCEPTION] ?? 0)) === 0,
  }
  return {
    type: def.type,
    bits: bits as Record<S | 'Exception', number>,
    actions: actions as Struct<S>['actions'],
    guards: guards as Struct<S>['guards'],
    config: (behaviour = {}) => {
      const { states, ...rest } = build(behaviour)
      if (Object.keys(states).length === 0) throw new Error(`${def.type}: no regions, use flatConfig`)
      return {
        type: 'parallel',
        states: states as StructConfig['states'],
        meta: rest.meta,
        on: rest.on as FlatConfig['on'],
      }
    },
    flatConfig: (behaviour = {}) => {
      const { states, ...rest } = build(behaviour)
      if (Object.keys(states).length > 0) throw new Error(`${def.type}: has regions, use config`)
      return { meta: rest.meta, on: rest.on as FlatConfig['on'] }
    },
  }
}
