// The metrics a bench report shows, one place: key (also the chart's file name), label, unit and
// how to read the value from a run. Bytes are shown in MB.
import type { RunRecord } from './results.js'

export type Unit = 'ms' | 'MB' | 'count'

export interface Metric {
  key: string
  label: string
  unit: Unit
  /** what it measures, one line under the table's heading */
  about: string
  get(run: RunRecord): number | undefined
}

const MB = 1024 * 1024
const bytes = (v: number | undefined) => (v === undefined ? undefined : v / MB)

export const METRICS: readonly Metric[] = [
  {
    key: 'wallMs',
    label: 'Wall time',
    unit: 'ms',
    about: 'the whole scenario: hosts up, ready, every message delivered',
    get: (r) => r.wallMs,
  },
  {
    key: 'readyMs',
    label: 'Readiness',
    unit: 'ms',
    about: 'start until every host found its topic peers through discovery',
    get: (r) => r.readyMs,
  },
  {
    key: 'publishMs',
    label: 'Publish and delivery',
    unit: 'ms',
    about: 'first publish until the last message reached every subscriber',
    get: (r) => r.publishMs,
  },
  { key: 'cpuMs', label: 'CPU', unit: 'ms', about: 'user + system CPU time of the run', get: (r) => r.cpuMs },
  {
    key: 'peakRssBytes',
    label: 'Peak RSS',
    unit: 'MB',
    about: 'largest resident set size of the process',
    get: (r) => bytes(r.peakRssBytes),
  },
  {
    key: 'heapAllocatedBytes',
    label: 'Heap allocated',
    unit: 'MB',
    about: 'bytes allocated on the V8 heap during the run',
    get: (r) => bytes(r.heapAllocatedBytes),
  },
  {
    key: 'gcCollectedBytes',
    label: 'Heap collected',
    unit: 'MB',
    about: 'bytes the garbage collector freed during the run',
    get: (r) => bytes(r.gcCollectedBytes),
  },
  {
    key: 'gcPauseMs',
    label: 'GC pauses',
    unit: 'ms',
    about: 'total time spent in garbage collection',
    get: (r) => r.gcPauseMs,
  },
  {
    key: 'gcCount',
    label: 'GC count',
    unit: 'count',
    about: 'garbage collections during the run',
    get: (r) => r.gcCount,
  },
  {
    key: 'latencyP50',
    label: 'Delivery latency p50',
    unit: 'ms',
    about: 'median publish-to-receive time over every delivery',
    get: (r) => r.latencyMs?.p50,
  },
  {
    key: 'latencyP99',
    label: 'Delivery latency p99',
    unit: 'ms',
    about: '99th percentile publish-to-receive time',
    get: (r) => r.latencyMs?.p99,
  },
  {
    key: 'transitions',
    label: 'Machine transitions',
    unit: 'count',
    about: 'transitions recorded by every machine (0 for vanilla)',
    get: (r) => r.transitions,
  },
  {
    key: 'processMs',
    label: 'Process time',
    unit: 'ms',
    about: 'spawn to exit as the bench saw it, node start-up included',
    get: (r) => r.processMs,
  },
]

/** The metrics a summary leads with; the aim is about wall time and peak RSS. */
export const HEADLINE = ['wallMs', 'cpuMs', 'peakRssBytes', 'heapAllocatedBytes', 'latencyP99'] as const

/** The paired-ratio chart's key among the charts (and its file name): no metric has it. */
export const RATIO_CHART = 'ratios'

export function metricByKey(key: string): Metric | undefined {
  return METRICS.find((m) => m.key === key)
}

export function formatValue(v: number | undefined, unit: Unit): string {
  if (v === undefined || !Number.isFinite(v)) return '—'
  if (unit === 'count') return Math.round(v).toLocaleString('en-US')
  const abs = Math.abs(v)
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

export function formatRatio(r: number | undefined): string {
  return r === undefined || !Number.isFinite(r) ? '—' : r.toFixed(2)
}
