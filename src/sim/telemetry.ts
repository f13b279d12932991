// The sinks a sim run streams records to besides its log file: the live debugger and traces.
import type { SimConfig } from '../config/sim.js'
import type { Recorder } from '../telemetry/recorder.js'
import type { Sink } from '../telemetry/records.js'

export interface SimTelemetry {
  sinks: Sink[]
  traces?: { attach(recorder: Recorder): void; shutdown(): Promise<{ dropped: number }> }
}

export async function simTelemetry(config: SimConfig, notice: (text: string) => void): Promise<SimTelemetry> {
  const sinks: Sink[] = []
  const dbg = config.telemetry.dbg.address
  if (dbg) {
    const { createSocketSink } = await import('../telemetry/socket-sink.js')
    const [host, port] = splitHostPort(dbg)
    sinks.push(createSocketSink({ host, port, onNotice: notice }))
  }
  return { sinks }
}

function splitHostPort(v: string): [string, number] {
  const i = v.lastIndexOf(':')
  return [v.slice(0, i).replace(/^\[|\]$/g, '') || '127.0.0.1', Number(v.slice(i + 1))]
}
