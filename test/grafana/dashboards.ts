// Test helper: reads grafana/dashboards/*.json and yields every PromQL query (panel targets and template
// variables), with Grafana's variables replaced so Prometheus can run them, and the metric names each names.
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const GRAFANA_DIR = fileURLToPath(new URL('../../grafana/', import.meta.url))
export const DASHBOARD_DIR = `${GRAFANA_DIR}dashboards/`

export interface Panel {
  id: number
  type: string
  title: string
  datasource?: { type: string; uid: string }
  targets?: Array<{ refId: string; expr: string; datasource?: { type: string; uid: string } }>
  panels?: Panel[]
  gridPos?: { x: number; y: number; w: number; h: number }
}

export interface Dashboard {
  uid: string
  title: string
  panels: Panel[]
  templating: {
    list: Array<{
      name: string
      type: string
      query: string | { query: string }
      datasource?: { uid: string }
      current?: { value: string | string[] }
    }>
  }
}

export interface Query {
  dashboard: string
  /** "panel <title> <refId>" or "variable <name>" */
  where: string
  /** as written in the dashboard */
  expr: string
  /** runnable: variables replaced */
  promql: string
  /** label_values(metric, label) of a variable: its metric selector, run as an instant query */
  variable?: boolean
}

export function loadDashboards(): Array<{ file: string; dashboard: Dashboard }> {
  return readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(DASHBOARD_DIR + file, 'utf8')) as Dashboard }))
}

export function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])])
}

/**
 * Grafana's interval variables become a fixed window; custom variables (a deadline, D_lo) their current value;
 * query variables match everything (their "All").
 */
export function substitute(expr: string, values: ReadonlyMap<string, string> = new Map()): string {
  return expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}|\$__interval|\$\{__interval\}|\$__range/g, '1m')
    .replace(/\$\{?__[a-z_]+\}?/gi, '1m')
    .replace(/\$\{(\w+)(:\w+)?\}|\$(\w+)/g, (_m, a?: string, _f?: string, b?: string) => values.get((a ?? b)!) ?? '.*')
}

/** The current value of each custom variable of a dashboard. */
export function customValues(d: Dashboard): Map<string, string> {
  const out = new Map<string, string>()
  for (const v of d.templating.list) {
    const cur = v.current?.value
    if ((v.type === 'custom' || v.type === 'constant') && typeof cur === 'string') out.set(v.name, cur)
  }
  return out
}

export function dashboardQueries(): Query[] {
  const out: Query[] = []
  for (const { file, dashboard } of loadDashboards()) {
    const values = customValues(dashboard)
    for (const p of allPanels(dashboard.panels)) {
      for (const t of p.targets ?? []) {
        out.push({
          dashboard: file,
          where: `panel "${p.title}" ${t.refId}`,
          expr: t.expr,
          promql: substitute(t.expr, values),
        })
      }
    }
    for (const v of dashboard.templating.list) {
      if (v.type !== 'query') continue
      const q = typeof v.query === 'string' ? v.query : v.query.query
      const m = /^label_values\((.*),\s*(\w+)\)$/.exec(q.trim())
      // label_values(selector, label): the selector is the PromQL Grafana sends (as a series match)
      out.push({
        dashboard: file,
        where: `variable ${v.name}`,
        expr: q,
        promql: substitute(m ? m[1]! : q),
        variable: true,
      })
    }
  }
  return out
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
])

/** The metric names a PromQL expression selects (identifiers that are not functions, keywords or labels). */
export function metricNames(promql: string): string[] {
  const s = promql
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
  const names = new Set<string>()
  const re = /[a-zA-Z_:][a-zA-Z0-9_:]*/g
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const id = m[0]
    const before = s[m.index - 1]
    if (before !== undefined && /[0-9.]/.test(before)) continue // 1e3, 0.5m
    const rest = s.slice(m.index + id.length)
    if (/^\s*\(/.test(rest)) continue // a function
    if (KEYWORDS.has(id.toLowerCase())) continue
    names.add(id)
  }
  return [...names]
}

/** The family a sample name belongs to (itself, or a histogram's _bucket/_sum/_count), if exported. */
export function familyOf(name: string, families: ReadonlyMap<string, string>): string | undefined {
  if (families.has(name)) return name
  const base = name.replace(/_(bucket|sum|count)$/, '')
  return families.get(base) === 'histogram' ? base : undefined
}
