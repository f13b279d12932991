// The attacks of libp2p/gossipsub-hardening, played by psm hosts whose misbehaviour lives on their own
// host (never in gossipsub's code):
//   - censoring: the sybil's topic validator answers Ignore for every message, so its gossipsub neither
//     delivers nor forwards anything (and, the message never entering its cache, never gossips it) while
//     it stays subscribed and keeps its mesh links;
//   - spam: the sybil publishes messages whose validity byte is 0 at `spamRate` per second; honest
//     validators Reject them, which costs the sender its P4 (invalid deliveries) score when scoring is on.
// Per kind (defaults; `censor` and `spamRate` override them):
//   sybil-flood   spam 20/s, forwards honestly
//   censor        censors, no spam
//   eclipse       censors; before anyone else dials, every sybil dials the targets and fills their
//                 connection slots (a target's group `maxConnections` is its slot count); targets dial no one
//   cold-boot     censors from the start; honest nodes' first dials go to sybils with `bootstrapBias`
//   covert-flash  behaves (forwards, no spam) until `start`, then every sybil censors and spams at once
// At `stop` the sybils hang up (their hosts stop): with `topology.maintain` honest nodes refill their slots.
import type { AttackConfig, AttackKind } from './config.js'

const DEFAULTS: Record<AttackKind, { censor: boolean; spamRate: number }> = {
  'sybil-flood': { censor: false, spamRate: 20 },
  censor: { censor: true, spamRate: 0 },
  eclipse: { censor: true, spamRate: 0 },
  'cold-boot': { censor: true, spamRate: 0 },
  'covert-flash': { censor: true, spamRate: 20 },
}

export interface AttackRuntime {
  config: AttackConfig
  sybils: number[]
  /** eclipse targets: the listed nodes, or every honest node */
  targets: number[]
  censor: boolean
  spamRate: number
}

export function attackRuntime(config: AttackConfig, sybils: number[], honest: number[]): AttackRuntime {
  const d = DEFAULTS[config.kind]
  return {
    config,
    sybils,
    targets: config.kind === 'eclipse' ? (config.targets.length > 0 ? [...config.targets] : [...honest]) : [],
    censor: config.censor ?? d.censor,
    spamRate: config.spamRate ?? d.spamRate,
  }
}

/** Whether the sybils behave at run time `tMs` (outside the attack window). */
export function behavesAt(a: AttackRuntime, tMs: number): boolean {
  return tMs < a.config.start || (a.config.stop !== null && tMs >= a.config.stop)
}
