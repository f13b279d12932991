// The sinks a sim run streams records to besides its log file: the live debugger and traces.
import { parseHostPort } from '../config/host-port.js'
import type { SimConfig } from '../config/sim.js'
import type { Sink } from '../telemetry/records.js'
import { createTraceSink, type TraceSink } from '../telemetry/traces/otel.js'

export interface SimTelemetry {
  sinks: Sink[]
  traces?: TraceSink
}

export async function simTelemetry(config: SimConfig, notice: (text: string) => void): Promise<SimTelemetry> {
  const sinks: Sink[] = []
  const dbg = config.telemetry.dbg.address
  if (dbg) {
    const { createSocketSink } = await import('../telemetry/log/socket-sink.js')
    // the config schema has normalised the address already
    const { host, port } = parseHostPort(dbg)!
    sinks.push(createSocketSink({ host, port, onNotice: notice }))
  }
  const t = config.telemetry.trace
  if (t.exporter === 'off' || (t.am === 0 && t.host === 0)) return { sinks }
  const traces = await createTraceSink({
    exporter: t.exporter,
    level: t.am as 0 | 1 | 2,
    hostLevel: t.host as 0 | 1,
    endpoint: t.endpoint,
    file: t.file,
    serviceName: 'psm',
  })
  return { sinks, traces }
}
