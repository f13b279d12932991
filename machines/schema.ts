// Relational states (asyncmachine semantics) expressed as xstate v5 configuration.
//
// Every psm machine is a parallel root (flat on a hot machine) whose children are *regions*, plus *flags* (bits in
// `context.flags`, for hot machines) and *multi* states (root events), all generated from one table by
// ./struct.ts. It writes each state's relations into the node's `meta.psm` with the helpers below, and
// `deriveSchema` reads them back from the machine itself, so the schema is never kept twice.
//
// Event conventions:
//   `add.X` / `remove.X`   activate / deactivate the bool or group state X (refused when a guard fails)
//   `X`                    fire the Multi state X (payload in `args`, optional `reply` callbacks)
//   `Exception`            Multi-like: sets the Exception flag with `args.error`

export interface Relations {
  /** states that must be active for this one to activate */
  require?: readonly string[]
  /** states activated together with this one */
  add?: readonly string[]
  /** states deactivated when this one activates (groups add their members implicitly) */
  remove?: readonly string[]
  /** activates by itself (an eventless transition) whenever its requirements hold */
  auto?: boolean
}

export interface StateSchema extends Relations {
  name: string
  group?: string
  multi?: boolean
}

export interface MachineSchema {
  type: string
  states: StateSchema[]
}

/** How the active set of a state is read from a snapshot. */
export type StateProbe =
  | { kind: 'region'; region: string }
  | { kind: 'group'; region: string; member: string }
  | { kind: 'flag'; bit: number }
  | { kind: 'multi' }

interface PsmMeta {
  psm?: {
    kind: 'bool' | 'group' | 'root'
    type?: string
    relations?: Relations
    members?: Record<string, Relations>
    flags?: Record<string, Relations>
    multi?: Record<string, Relations>
    order?: readonly string[]
    /** negotiation guard of each state that has one (behaviour, not schema: tests read it) */
    negotiation?: Record<string, string>
  }
}

export const INACTIVE = 'inactive'
export const ACTIVE = 'active'
export const NONE = 'none'

/**
 * Metadata for the machine root. `order` lists every state name in display order; `flags` are states
 * held as bits in `context.flags`; `multi` are Multi states fired by root events.
 */
export function rootMeta(init: {
  type: string
  order: readonly string[]
  flags?: Record<string, Relations>
  multi?: Record<string, Relations>
  negotiation?: Record<string, string>
}): PsmMeta {
  return {
    psm: {
      kind: 'root',
      type: init.type,
      order: init.order,
      ...(init.flags ? { flags: init.flags } : {}),
      ...(init.multi ? { multi: init.multi } : {}),
      ...(init.negotiation ? { negotiation: init.negotiation } : {}),
    },
  }
}

export function boolMeta(relations: Relations = {}): PsmMeta {
  return { psm: { kind: 'bool', relations } }
}

export function groupMeta(members: Record<string, Relations>): PsmMeta {
  return { psm: { kind: 'group', members } }
}

// --- derivation ------------------------------------------------------------------------------

interface NodeLike {
  key: string
  meta?: unknown
  states: Record<string, NodeLike>
}

interface MachineLike {
  root: NodeLike
}

function metaOf(node: NodeLike): PsmMeta['psm'] {
  return (node.meta as PsmMeta | undefined)?.psm
}

function clean(r: Relations | undefined): Relations {
  const out: Relations = {}
  if (!r) return out
  if (r.require?.length) out.require = [...r.require]
  if (r.add?.length) out.add = [...r.add]
  if (r.remove?.length) out.remove = [...r.remove]
  if (r.auto) out.auto = true
  return out
}

export interface DerivedMachine {
  schema: MachineSchema
  probes: StateProbe[]
}

/** Reads a machine's relational schema (and how to probe each state) from its definition. */
export function deriveMachine(machine: MachineLike): DerivedMachine {
  const root = machine.root
  const rm = metaOf(root)
  if (rm?.kind !== 'root' || !rm.type || !rm.order) {
    throw new Error('machine root lacks psm meta (use rootMeta)')
  }
  const found = new Map<string, { state: StateSchema; probe: StateProbe }>()
  let bit = 0
  for (const [name, rel] of Object.entries(rm.flags ?? {})) {
    found.set(name, { state: { name, ...clean(rel) }, probe: { kind: 'flag', bit: 1 << bit } })
    bit++
  }
  for (const [name, rel] of Object.entries(rm.multi ?? {})) {
    found.set(name, { state: { name, multi: true, ...clean(rel) }, probe: { kind: 'multi' } })
  }
  for (const [key, node] of Object.entries(root.states)) {
    const m = metaOf(node)
    if (!m) continue
    if (m.kind === 'bool') {
      found.set(key, { state: { name: key, ...clean(m.relations) }, probe: { kind: 'region', region: key } })
    } else if (m.kind === 'group') {
      const members = Object.keys(m.members ?? {})
      for (const member of members) {
        const rel = clean(m.members?.[member])
        const others = members.filter((x) => x !== member)
        const remove = [...others, ...(rel.remove ?? []).filter((x) => !others.includes(x))]
        found.set(member, {
          state: { name: member, group: key, ...rel, remove },
          probe: { kind: 'group', region: key, member },
        })
      }
    }
  }
  const states: StateSchema[] = []
  const probes: StateProbe[] = []
  for (const name of rm.order) {
    const f = found.get(name)
    if (!f) throw new Error(`state ${name} is in the order of ${rm.type} but not declared`)
    states.push(f.state)
    probes.push(f.probe)
    found.delete(name)
  }
  if (found.size > 0) {
    throw new Error(`states of ${rm.type} missing from its order: ${[...found.keys()].join(', ')}`)
  }
  return { schema: { type: rm.type, states }, probes }
}

export function deriveSchema(machine: MachineLike): MachineSchema {
  return deriveMachine(machine).schema
}

interface SnapshotLike {
  value: unknown
  context: unknown
}

/**
 * Compiles a function returning the active states of a snapshot as a bitmask over the schema order
 * (bit i = states[i]). Schemas have at most 31 states.
 */
export function compileProbe(probes: readonly StateProbe[]): (s: SnapshotLike) => number {
  if (probes.length > 31) throw new Error('a machine has at most 31 states')
  const flagMap: Array<[number, number]> = []
  const regions: Array<[number, string, string]> = []
  probes.forEach((p, i) => {
    if (p.kind === 'flag') flagMap.push([p.bit, 1 << i])
    else if (p.kind === 'region') regions.push([1 << i, p.region, ACTIVE])
    else if (p.kind === 'group') regions.push([1 << i, p.region, p.member])
  })
  return (s) => {
    let mask = 0
    if (flagMap.length > 0) {
      const flags = ((s.context as { flags?: number } | undefined)?.flags ?? 0) | 0
      for (const [bitIn, bitOut] of flagMap) if (flags & bitIn) mask |= bitOut
    }
    if (regions.length > 0) {
      const v = s.value as Record<string, unknown>
      for (const [bitOut, region, want] of regions) if (v[region] === want) mask |= bitOut
    }
    return mask
  }
}
