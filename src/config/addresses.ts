// The addresses psm serves and connects to unless told otherwise, all on the loopback address. A module
// of its own (no schema, no YAML) so that the debugger and the live sink can read it cheaply.

/** where `psm dbg --listen` listens and `psm sim --dbg` connects */
export const DEFAULT_DBG_PORT = 6831
export const DEFAULT_DBG_ADDRESS = `127.0.0.1:${DEFAULT_DBG_PORT}`
/** where `psm sim --metrics` serves /metrics */
export const DEFAULT_METRICS_LISTEN = '127.0.0.1:9464'
