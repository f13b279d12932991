// What one scenario run costs the process: wall time, CPU, peak RSS, heap allocation and GC, measured
// from outside the code under test (process counters, v8 heap statistics, v8's GC profiler).
import v8 from 'node:v8'
import { realPerformanceNow } from '../clock/virtual-real.js'
import { rankQuantile } from '../quantile.js'

export interface ResourceFigures {
  /** real (wall-clock) milliseconds, whatever clock the run is on */
  wallMs: number
  /** user + system CPU */
  cpuMs: number
  /** the process's peak resident set so far */
  peakRssBytes: number
  /** bytes allocated on the JS heap during the run: heap growth plus what GC collected */
  heapAllocatedBytes: number
  gcCollectedBytes: number
  gcCount: number
  gcPauseMs: number
}

interface GcStat {
  cost: number
  beforeGC: { heapStatistics: { usedHeapSize: number } }
  afterGC: { heapStatistics: { usedHeapSize: number } }
}

export class ResourceMeter {
  private readonly t0 = realPerformanceNow()
  private readonly cpu0 = process.cpuUsage()
  private readonly heap0 = v8.getHeapStatistics().used_heap_size
  private readonly profiler = new v8.GCProfiler()

  constructor() {
    this.profiler.start()
  }

  /** Ends the measurement (call once). */
  stop(): ResourceFigures {
    const wallMs = realPerformanceNow() - this.t0
    const cpu = process.cpuUsage(this.cpu0)
    const heap1 = v8.getHeapStatistics().used_heap_size
    const stats = ((this.profiler.stop() as { statistics?: GcStat[] } | undefined)?.statistics ?? []) as GcStat[]
    let collected = 0
    let pauseUs = 0
    for (const s of stats) {
      collected += Math.max(0, s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize)
      pauseUs += s.cost
    }
    return {
      wallMs: Math.round(wallMs),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      heapAllocatedBytes: Math.max(0, heap1 - this.heap0 + collected),
      gcCollectedBytes: collected,
      gcCount: stats.length,
      gcPauseMs: Math.round(pauseUs / 100) / 10,
    }
  }
}

/** p50, p99 and max of a list of latencies (ms, one decimal); zeros when empty. */
export function latencySummary(values: number[]): { p50: number; p99: number; max: number } {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0 }
  const s = Float64Array.from(values).sort()
  const r = (x: number) => Math.round(x * 10) / 10
  return { p50: r(rankQuantile(s, 0.5)), p99: r(rankQuantile(s, 0.99)), max: r(s[s.length - 1]!) }
}
