// Defaults of topic discovery and bootstrap.

/** how long an advertisement lasts */
export const DEFAULT_ADVERTISE_TTL_MS = 60_000
/**
 * how many peers one discovery round asks for and dials (0: all). Real networks keep a bounded degree:
 * a gossipsub mesh holds D≈6–8 peers (js-gossipsub's D is 6); with the registry spreading dials, a host
 * ends with about twice this many connections (its own dials plus as many inbound), enough to fill a
 * mesh and gossip beyond it. Each connection costs ~9 ms of CPU at start-up (identify, signed peer
 * records, peer store), measured on a loaded 2-core box: the degree sets the start-up cost.
 */
export const DEFAULT_FIND_LIMIT = 6
/** the discovery machine's pool timer: re-advertise and re-discover topics lacking peers */
export const DEFAULT_POOL_INTERVAL_MS = 5_000
/** the bootstrap flow's pause between a discovery round and the next readiness check */
export const DEFAULT_BOOTSTRAP_DELAY_MS = 500
/** topic peers a join waits for */
export const DEFAULT_MIN_PEERS = 1
/** how long a join waits for its topic peers */
export const DEFAULT_JOIN_TIMEOUT_MS = 30_000
