// The one host:port parser: config keys, --listen/--metrics flags and the live sink all go through it.
import { describe, expect, it } from 'vitest'
import { formatHostPort, parseHostPort } from '../../src/config/host-port.js'

describe('parseHostPort', () => {
  it('reads host:port, [v6]:port and a bare port (loopback)', () => {
    expect(parseHostPort('0.0.0.0:9100')).toEqual({ host: '0.0.0.0', port: 9100 })
    expect(parseHostPort(' localhost:6831 ')).toEqual({ host: 'localhost', port: 6831 })
    expect(parseHostPort('[::1]:9100')).toEqual({ host: '::1', port: 9100 })
    expect(parseHostPort('9000')).toEqual({ host: '127.0.0.1', port: 9000 })
    expect(parseHostPort(':9000')).toEqual({ host: '127.0.0.1', port: 9000 })
  })

  it('refuses what is not an address, and ports past 65535', () => {
    for (const bad of ['', 'here', 'host:port', '1.2.3.4:70000', 'a b:1', '1:2:3']) {
      expect(parseHostPort(bad), bad).toBeUndefined()
    }
  })

  it('with a default port, an empty text or a bare host parse too', () => {
    expect(parseHostPort('', 6831)).toEqual({ host: '127.0.0.1', port: 6831 })
    expect(parseHostPort('localhost', 6831)).toEqual({ host: 'localhost', port: 6831 })
    expect(parseHostPort('7000', 6831)).toEqual({ host: '127.0.0.1', port: 7000 })
    expect(parseHostPort('host:port', 6831)).toBeUndefined()
  })

  it('formats back to a text that parses to the same address', () => {
    for (const a of [
      { host: '127.0.0.1', port: 9464 },
      { host: '::1', port: 1 },
    ]) {
      expect(parseHostPort(formatHostPort(a))).toEqual(a)
    }
    expect(formatHostPort({ host: '::1', port: 1 })).toBe('[::1]:1')
  })
})
