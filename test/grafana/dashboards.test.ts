import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import { fullRunMetrics } from '../telemetry/metrics/metrics-fixture.js'
import {
  allPanels,
  dashboardQueries,
  familyOf,
  GRAFANA_DIR,
  loadDashboards,
  metricNames,
  type Panel,
  type Query,
  substitute,
} from './dashboards.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Every family psm exports, with its type (counter, gauge, histogram). */
function exportedFamilies(): Map<string, string> {
  const { run } = fullRunMetrics()
  const out = new Map<string, string>()
  for (const m of run.registry.getMetricsAsArray()) {
    const { name, type } = m as unknown as { name: string; type: string }
    out.set(name, type)
  }
  run.close()
  return out
}

function unshownList(): Map<string, string> {
  const doc = parse(readFileSync(`${GRAFANA_DIR}unshown-metrics.yml`, 'utf8')) as Record<
    string,
    { why: string; families: string[] }
  >
  const out = new Map<string, string>()
  for (const [group, g] of Object.entries(doc)) {
    expect(g.why, group).toMatch(/\w/)
    for (const f of g.families) {
      expect(out.has(f), `${f} listed twice`).toBe(false)
      out.set(f, group)
    }
  }
  return out
}

function run(cmd: string, args: string[], cwd = ROOT): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: 'pipe' }) }
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string }
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}${e.message}` }
  }
}

let families: Map<string, string>
let queries: Query[]
let dir: string
beforeAll(() => {
  families = exportedFamilies()
  queries = dashboardQueries()
  dir = mkdtempSync(join(tmpdir(), 'psm-grafana-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('dashboards', () => {
  test('three dashboards with unique uids, unique panel ids and every panel on the Prometheus datasource', () => {
    const dashboards = loadDashboards()
    expect(dashboards.map((d) => d.file)).toEqual(['gossipsub.json', 'machines.json', 'simulator.json'])
    expect(new Set(dashboards.map((d) => d.dashboard.uid)).size).toBe(3)
    for (const { file, dashboard } of dashboards) {
      const panels = allPanels(dashboard.panels)
      expect(new Set(panels.map((p) => p.id)).size, file).toBe(panels.length)
      for (const p of panels) {
        expect(p.gridPos, `${file} ${p.title}`).toBeDefined()
        if (p.type === 'row') continue
        expect(p.datasource?.uid, `${file} ${p.title}`).toBe('prometheus')
        expect(p.targets?.length, `${file} ${p.title} has queries`).toBeGreaterThan(0)
        for (const t of p.targets ?? []) expect(t.datasource?.uid ?? 'prometheus').toBe('prometheus')
      }
    }
  })

  test('the Machines dashboard has a machine variable and per-machine panels use it', () => {
    const machines = loadDashboards().find((d) => d.file === 'machines.json')!.dashboard
    expect(machines.templating.list.map((v) => v.name)).toEqual(['type', 'machine'])
    const perMachine = queries.filter((q) => q.dashboard === 'machines.json' && q.expr.includes('$machine'))
    expect(perMachine.length).toBeGreaterThanOrEqual(4)
  })

  test('what issue 15 fixed stays fixed: bytes panels chart bytes, stats read the range, Why late panels exist', () => {
    const dashboards = new Map(loadDashboards().map((d) => [d.file, d.dashboard]))
    const panel = (file: string, title: string) => {
      const p = allPanels(dashboards.get(file)!.panels).find((x) => x.title === title)
      expect(p, `${file} "${title}"`).toBeDefined()
      return p as Panel & { fieldConfig?: { defaults?: { unit?: string } } }
    }
    // "RPC bytes" draws bytes only; the counts have their own panel
    const bytes = panel('gossipsub.json', 'RPC bytes')
    expect(bytes.fieldConfig?.defaults?.unit).toBe('Bps')
    for (const t of bytes.targets!) for (const n of metricNames(t.expr)) expect(n).toMatch(/_bytes_/)
    panel('gossipsub.json', 'RPCs per second')
    // Delivered / Missed read the dashboard's range, not lifetime counters
    for (const title of ['Delivered', 'Missed']) {
      for (const t of panel('simulator.json', title).targets!) {
        expect(t.expr).toMatch(/increase\(sim_msgs_(recv|miss)_total\[\$__range\]\)/)
        expect(t.expr.replace(/increase\(sim_msgs_\w+\[\$__range\]\)/g, '')).not.toMatch(/sim_msgs/)
      }
    }
    const heatmap = panel('simulator.json', 'Delivery latency heatmap')
    expect(heatmap.type).toBe('heatmap')
    expect((heatmap.targets![0] as { format?: string }).format).toBe('heatmap')
    for (const title of [
      'Starved meshes: hosts below D_lo, per topic',
      'Mesh inclusions by reason',
      'Mesh churn by reason',
      'Peers held back by backoff',
      'IHAVE message ids: not seen vs seen',
      'IWANT promises',
      'IWANT promise delivery time',
      'Publishes by peer group',
      'Heartbeat runs vs skips',
    ]) {
      panel('gossipsub.json', title)
    }
    // custom variables are replaced by their current value, query variables by "everything"
    const share = queries.find((q) => q.where.startsWith('panel "Share of deliveries over the deadline'))!
    expect(share.promql).toContain('le="0.5"')
    const starved = queries.find((q) => q.where.startsWith('panel "Starved meshes'))!
    expect(starved.promql).toBe('sum by (topic) (psm_gossipsub_starved_meshes)')
  })

  test('every query parses (promtool check rules)', () => {
    expect(queries.length).toBeGreaterThan(40)
    const rules = {
      groups: [
        {
          name: 'psm-dashboards',
          rules: queries.map((q, i) => ({ record: `psm:dashboard_query_${i}`, expr: q.promql })),
        },
      ],
    }
    const file = join(dir, 'rules.yml')
    writeFileSync(file, JSON.stringify(rules))
    const res = run('promtool', ['check', 'rules', file])
    expect(res.out).toMatch(/SUCCESS/)
    expect(res.ok).toBe(true)
  })

  test('a query that does not parse is caught (the check is not vacuous)', () => {
    const file = join(dir, 'bad.yml')
    writeFileSync(
      file,
      JSON.stringify({ groups: [{ name: 'x', rules: [{ record: 'x:y', expr: 'sum(rate(x[1m])' }] }] }),
    )
    expect(run('promtool', ['check', 'rules', file]).ok).toBe(false)
  })

  test('every query names only metrics psm exports', () => {
    const unknown: string[] = []
    for (const q of queries) {
      const names = metricNames(q.promql)
      expect(names.length, `${q.dashboard} ${q.where}: names no metric`).toBeGreaterThan(0)
      for (const n of names) if (!familyOf(n, families)) unknown.push(`${q.dashboard} ${q.where}: ${n}`)
    }
    expect(unknown).toEqual([])
  })

  test('every exported family is shown by a panel or listed as deliberately unshown, never both', () => {
    const shown = new Set<string>()
    for (const q of queries) {
      for (const n of metricNames(q.promql)) {
        const f = familyOf(n, families)
        if (f) shown.add(f)
      }
    }
    const unshown = unshownList()
    const neither = [...families.keys()].filter((f) => !shown.has(f) && !unshown.has(f))
    expect(neither, 'exported but neither shown nor in grafana/unshown-metrics.yml').toEqual([])
    const both = [...unshown.keys()].filter((f) => shown.has(f))
    expect(both, 'shown by a panel but listed as unshown').toEqual([])
    const stale = [...unshown.keys()].filter((f) => !families.has(f))
    expect(stale, 'listed as unshown but not exported').toEqual([])
    // every machine, sim and process family is on a dashboard
    expect([...unshown.keys()].filter((f) => !f.startsWith('gossipsub_'))).toEqual([])
  })

  test('metric name extraction', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (type, le) (rate(psm_machine_transition_duration_seconds_bucket{type=~".*"}[1m])))',
      ),
    ).toEqual(['psm_machine_transition_duration_seconds_bucket'])
    expect(metricNames('sum(a_total) / clamp_min(sum(a_total) + sum(b_total), 1) and on (x) c offset 5m')).toEqual([
      'a_total',
      'b_total',
      'c',
    ])
    const braced = '$' + '{machine}' // Grafana's ${var} form
    expect(substitute(`rate(x{h=~"$host", m=~"${braced}"}[$__rate_interval])`)).toBe('rate(x{h=~".*", m=~".*"}[1m])')
  })
})

describe('provisioning and compose', () => {
  test('datasources: Prometheus and Jaeger with the uids the dashboards use; a provider loading the dashboards', () => {
    const ds = parse(readFileSync(`${GRAFANA_DIR}provisioning/datasources/psm.yml`, 'utf8')) as {
      datasources: Array<{ uid: string; type: string; url: string }>
    }
    expect(ds.datasources.map((d) => [d.uid, d.type])).toEqual([
      ['prometheus', 'prometheus'],
      ['jaeger', 'jaeger'],
    ])
    const prov = parse(readFileSync(`${GRAFANA_DIR}provisioning/dashboards/psm.yml`, 'utf8')) as {
      providers: Array<{ type: string; options: { path: string } }>
    }
    expect(prov.providers[0]).toMatchObject({ type: 'file', options: { path: '/var/lib/grafana/dashboards' } })
  })

  test('docker-compose.yml validates (docker-compose config) and mounts what Grafana and Prometheus read', () => {
    const res = run('docker-compose', ['config'])
    expect(res.ok, res.out).toBe(true)
    type Port = string | { published: number | string; target: number | string }
    const config = parse(res.out) as {
      services: Record<
        string,
        { image: string; ports?: Port[]; volumes?: string[]; environment?: Record<string, string> }
      >
    }
    expect(Object.keys(config.services).sort()).toEqual(['grafana', 'jaeger', 'prometheus', 'sim'])
    // docker-compose prints ports as objects (1.x) or strings
    const ports = (s: string) =>
      (config.services[s]?.ports ?? []).map((p) => (typeof p === 'string' ? p : `${p.published}:${p.target}`))
    for (const p of ['16686', '4317', '4318']) expect(ports('jaeger').some((x) => x.includes(`${p}:${p}`))).toBe(true)
    // nothing open beyond this machine: every published port on 127.0.0.1, host-network services on loopback
    const raw = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { ports?: string[]; network_mode?: string; command?: string[] }>
    }
    for (const [name, s] of Object.entries(raw.services)) {
      for (const p of s.ports ?? []) expect(p, `${name} publishes ${p}`).toMatch(/^127\.0\.0\.1:/)
    }
    expect(raw.services.prometheus?.network_mode).toBe('host')
    expect(raw.services.prometheus?.command).toContain('--web.listen-address=127.0.0.1:9090')
    expect(config.services.grafana?.environment).toMatchObject({ GF_SERVER_HTTP_ADDR: '127.0.0.1' })
    expect(raw.services.sim?.command).toContain('--metrics=127.0.0.1:9464')
    const bridge = run('docker-compose', ['-f', 'docker-compose.yml', '-f', 'docker-compose.bridge.yml', 'config'])
    expect(bridge.ok, bridge.out).toBe(true)
    const bridged = parse(bridge.out) as typeof config
    for (const name of ['prometheus', 'grafana']) {
      const published = (bridged.services[name]?.ports ?? []).map((p) =>
        typeof p === 'string' ? p : `${(p as { host_ip?: string }).host_ip ?? ''}:${p.published}`,
      )
      expect(published.length, name).toBeGreaterThan(0)
      for (const p of published) expect(p, `${name} publishes ${p}`).toMatch(/^127\.0\.0\.1:/)
    }
    const mounts = (s: string) => (config.services[s]?.volumes ?? []).map((v) => String(v))
    expect(mounts('grafana').some((v) => v.includes('grafana/dashboards:/var/lib/grafana/dashboards'))).toBe(true)
    expect(mounts('grafana').some((v) => v.includes('grafana/provisioning:/etc/grafana/provisioning'))).toBe(true)
    expect(
      mounts('prometheus').some((v) => v.includes('prometheus/prometheus.yml:/etc/prometheus/prometheus.yml')),
    ).toBe(true)
    expect(config.services.grafana?.environment).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
    })
  })

  test('the Prometheus config passes promtool check config and scrapes the sim every 5 s', () => {
    const res = run('promtool', ['check', 'config', 'prometheus/prometheus.yml', 'prometheus/prometheus.bridge.yml'])
    expect(res.out).toMatch(/SUCCESS/)
    expect(res.ok).toBe(true)
    const cfg = parse(readFileSync(join(ROOT, 'prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ scrape_interval: string; static_configs: Array<{ targets: string[] }> }>
    }
    expect(cfg.scrape_configs[0]?.scrape_interval).toBe('5s')
    expect(cfg.scrape_configs[0]?.static_configs[0]?.targets).toEqual(['127.0.0.1:9464'])
  })
})
