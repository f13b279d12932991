// A few process metrics (CPU, memory, event-loop delay) for the simulator dashboard. prom-client's default
// set is not used: it exports gauges named `*_total`, which `promtool check metrics` rejects, and far more
// families than a sim needs. One process is one event loop, so its delay is what limits a sim.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Counter, Gauge, type Registry } from 'prom-client'

export interface ProcessMetrics {
  /** stops the event-loop delay monitor */
  close(): void
}

export function createProcessMetrics(registry: Registry): ProcessMetrics {
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  let lastCpu = process.cpuUsage()
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'User and system CPU time spent, in seconds',
    registers: [registry],
    collect() {
      const now = process.cpuUsage()
      const spent = (now.user - lastCpu.user + now.system - lastCpu.system) / 1e6
      lastCpu = now
      if (spent > 0) this.inc(spent)
    },
  })
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident set size, in bytes',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage.rss())
    },
  })
  new Gauge({
    name: 'nodejs_heap_used_bytes',
    help: 'V8 heap in use, in bytes',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().heapUsed)
    },
  })
  // read once per scrape by the first of the three gauges (a registry collects in registration order)
  let window = { p50: 0, p99: 0, max: 0 }
  const delayGauge = (name: string, what: string, pick: (w: typeof window) => number, first: boolean) =>
    new Gauge({
      name,
      help: `Event-loop delay since the previous scrape, ${what}, in seconds`,
      registers: [registry],
      collect() {
        if (first) {
          // an idle loop records nothing; 0 is what it means
          const n = delay.count > 0
          window = {
            p50: n ? delay.percentile(50) / 1e9 : 0,
            p99: n ? delay.percentile(99) / 1e9 : 0,
            max: n ? delay.max / 1e9 : 0,
          }
          delay.reset()
        }
        this.set(pick(window))
      },
    })
  delayGauge('nodejs_eventloop_delay_p50_seconds', 'median', (w) => w.p50, true)
  delayGauge('nodejs_eventloop_delay_p99_seconds', '99th percentile', (w) => w.p99, false)
  delayGauge('nodejs_eventloop_delay_max_seconds', 'maximum', (w) => w.max, false)
  return { close: () => delay.disable() }
}
