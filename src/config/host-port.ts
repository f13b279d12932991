// host:port addresses: the one parser behind config keys, flags and the sinks that listen or connect.

/** the host a bare port means: psm binds the loopback address unless told otherwise */
export const LOOPBACK = '127.0.0.1'

export interface HostPort {
  host: string
  port: number
}

// `host:port`, `[v6]:port`, or a bare `port`
const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]*)):(\d{1,5})$/
const BARE_PORT = /^()()(\d{1,5})$/
const BARE_HOST = /^[A-Za-z0-9._-]+$/

/**
 * Parses `host:port`, `[v6]:port` or a bare port (meaning 127.0.0.1). With `defaultPort`, an empty text and
 * a bare host parse too. Undefined when the text is none of these or the port is past 65535: each caller
 * says what was wrong in its own words (a flag, a config key).
 */
export function parseHostPort(text: string, defaultPort?: number): HostPort | undefined {
  const v = text.trim()
  if (v === '') return defaultPort === undefined ? undefined : { host: LOOPBACK, port: defaultPort }
  const m = HOST_PORT.exec(v) ?? BARE_PORT.exec(v)
  if (m) {
    const port = Number(m[3])
    return port > 65535 ? undefined : { host: m[1] || m[2] || LOOPBACK, port }
  }
  if (defaultPort !== undefined && BARE_HOST.test(v)) return { host: v, port: defaultPort }
  return undefined
}

/** The text form, with brackets around an IPv6 host so that it parses back. */
export function formatHostPort(a: HostPort): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`
}
