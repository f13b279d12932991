// bench.md, charts and results.json from synthetic results: numbers in every cell, failures counted,
// valid SVG, partial reports marked, ratios computed from medians.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeReport } from '../../src/bench/bench.js'
import { chartData, chartSpec, ratioData, renderCharts, renderSvg } from '../../src/bench/charts.js'
import { compareResults } from '../../src/bench/compare.js'
import { METRICS, metricByKey } from '../../src/bench/metrics.js'
import { renderReport } from '../../src/bench/report.js'
import { readResults } from '../../src/bench/results.js'
import { syntheticResults, tables } from './synthetic.js'
import { xmlProblem } from './xml.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-report-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('renderReport', () => {
  it('has a hosts × msgs table per metric with a median, IQR and ratio in every cell', () => {
    const md = renderReport(syntheticResults())
    const t = tables(md)
    expect(t.get('Wall time (ms)')).toHaveLength(2)
    for (const [heading, rows] of t) {
      if (heading === 'Failures') continue
      for (const row of rows) {
        expect(row).toHaveLength(2)
        for (const cell of row) {
          expect(cell, `${heading}: ${cell}`).toMatch(
            /^vanilla [\d,.]+ \([\d,.]+–[\d,.]+\)<br>machine [\d,.]+ \([\d,.]+–[\d,.]+\)<br>paired ratio \*\*(\d+\.\d\d \[\d\.\d\d–\d\.\d\d\]|—)\*\*, of medians (\d+\.\d\d \[\d\.\d\d–\d\.\d\d\]|—)$/,
          )
        }
      }
    }
    // medians: 3 hosts × 2 msgs: vanilla 600, 610, 620 → 610; machine ×1.1
    // every pair is exactly 1.1: the paired interval is a point; the ratio of medians is spread by the runs
    expect(t.get('Wall time (ms)')![0]![0]).toBe(
      'vanilla 610 (605–615)<br>machine 671 (666–677)<br>paired ratio **1.10 [1.10–1.10]**, of medians 1.10 [1.06–1.14]',
    )
    expect(t.get('Machine transitions (count)')![0]![0]).toContain('paired ratio **—**')
    expect(md).toContain('None: every run delivered every message and exited 0.')
    expect(md).toMatch(
      /\| Wall time \| \*\*1\.10 \[1\.10–1\.10\]\*\* \| machine slower \| 1\.10 \[1\.10–1\.10\] \| 4 \/ 0 \/ 0 \| 1\.10 \[1\.\d\d–1\.\d\d\] \|/,
    )
    expect(md).toContain(
      'Aim: paired machine/vanilla ≤ 1.05 at 4 hosts × 4 msgs for Wall time and Peak RSS, met only when the whole 95% interval is ≤ 1.05: **not met**',
    )
    expect(md).toContain('Test CPU, 2 cores, 4.0 GiB')
    expect(md).toContain('Complete: 24 of 24 measured runs')
  })

  it('counts a failure per cell, gives its reason and leaves it out of the statistics', () => {
    const md = renderReport(syntheticResults({ failOne: true }))
    expect(md).toContain('**1 failed**')
    const failures = tables(md).get('Failures')!
    expect(failures[1]![1]).toBe('vanilla 0/3<br>machine 1/3')
    expect(failures[0]![0]).toBe('vanilla 0/3<br>machine 0/3')
    expect(md).toContain('- 1× timeout waiting for readiness (machine 4×4)')
    const wall = tables(md).get('Wall time (ms)')!
    // next to the medians of its cell: how many failed and why
    expect(wall[1]![1]).toMatch(/machine [\d,]+ \([\d,]+–[\d,]+\) n=2\/3, 1 failed: timeout waiting for readiness<br>/)
    expect(wall[1]![1]).toContain('paired ratio **1.10 [n=2, no interval]**')
    expect(wall[0]![0]).not.toContain('failed')
  })

  it('calls the aim met only when the whole interval meets it', () => {
    const r = syntheticResults()
    const big = (x: { hosts: number; msgs: number }) => x.hosts === 4 && x.msgs === 4
    // the largest cell: machine/vanilla pairs 0.6, 0.9, 2.4 × f → geometric mean 1.09 f
    const factors = [0.6, 0.9, 2.4]
    const noisy = (f: number) => (x: (typeof r.runs)[number]) => {
      if (big(x) && x.impl === 'machine') {
        const v = r.runs.find((y) => big(y) && y.impl === 'vanilla' && y.iteration === x.iteration)!
        x.wallMs = v.wallMs! * f * factors[x.iteration]!
        x.peakRssBytes = v.peakRssBytes!
      }
    }
    r.runs.forEach(noisy(0.8)) // 0.87: a point under the aim, an interval far over it (the case)
    let md = renderReport(r)
    expect(md).toMatch(/\*\*undecided \(an interval straddles the aim.*Wall time 0\.87 \[0\.48–1\.92\] undecided/)
    expect(md).not.toMatch(/\*\*met\*\*/)
    for (const x of r.runs) if (big(x) && x.impl === 'machine') x.wallMs = (x.wallMs! / factors[x.iteration]!) * 1.25
    md = renderReport(r)
    expect(md).toContain('Wall time 1.00 [1.00–1.00] met; Peak RSS 1.00 [1.00–1.00] met')
    expect(md).toContain('**met**')
  })

  it('says when the machine was loaded, from the load average before and after each run', () => {
    const r = syntheticResults()
    r.runs.forEach((x, i) => {
      x.loadBefore = [i < 3 ? 3.5 : 0.5, 1, 1]
      x.loadAfter = [1.2, 1, 1]
    })
    const md = renderReport(r)
    expect(md).toContain('**The machine was loaded:** 3 runs started with the load average above its cores')
    expect(md).toContain('| before each run | 0.50 | 3.50 |')
    expect(md).toContain('| after each run | 1.20 | 1.20 |')
    expect(md).toContain('**Loaded: 3 of 24 runs started with the load above the 2 cores** (vanilla 3×2, machine 3×2)')
    for (const x of r.runs) x.loadBefore = [0.5, 1, 1]
    expect(renderReport(r)).toContain('No run started with the load above the 2 cores')
    expect(renderReport(syntheticResults())).toContain('Load per run: not recorded (results from an older psm).')
  })

  it('marks a partial report and shows a cell without successful runs', () => {
    const r = syntheticResults()
    r.meta.complete = false
    r.runs = r.runs.filter((x) => !(x.hosts === 4 && x.msgs === 4 && x.impl === 'machine'))
    r.runs.push({ hosts: 4, msgs: 4, impl: 'machine', iteration: 0, failure: 'exit 1', exitCode: 1, processMs: 5 })
    const md = renderReport(r)
    expect(md).toContain('**Partial (interrupted)**')
    expect(tables(md).get('Wall time (ms)')![1]![1]).toContain(
      'machine — (0/1 ok, 1 failed: exit 1)<br>paired ratio **—**, of medians —',
    )
  })

  it('shows no ratios when one implementation ran', () => {
    const r = syntheticResults()
    r.config.impls = ['machine']
    r.runs = r.runs.filter((x) => x.impl === 'machine')
    const md = renderReport(r)
    expect(md).toContain('Only machine ran: no ratios.')
    expect(tables(md).get('Wall time (ms)')![0]![0]).toBe('machine 671 (666–677)')
  })
})

describe('charts', () => {
  it('plots the median per msgs, one series per implementation and host count', () => {
    const data = chartData(syntheticResults().runs, metricByKey('wallMs')!)
    expect(data).toHaveLength(8)
    expect(data.find((d) => d.hosts === '3 hosts' && d.msgs === 2 && d.impl === 'vanilla')?.median).toBe(610)
  })

  it('renders valid SVG', async () => {
    const charts = await renderCharts(syntheticResults().runs, [metricByKey('wallMs')!, metricByKey('peakRssBytes')!])
    expect([...charts.keys()]).toEqual(['wallMs', 'peakRssBytes', 'ratios'])
    for (const svg of charts.values()) {
      expect(xmlProblem(svg)).toBeUndefined()
    }
    expect(charts.get('wallMs')).toContain('Wall time (ms)')
    // the checker itself rejects broken markup
    expect(xmlProblem('<svg><g></svg>')).toBeDefined()
    expect(xmlProblem('<svg><rect width=1/></svg>')).toBeDefined()
  })
})

/** The words an SVG shows, in order. */
const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!)
/** Fill colours of the data marks (point symbols), per mark group. */
const markFills = (svg: string): string[] =>
  [...svg.matchAll(/class="mark-symbol role-mark[^"]*"[\s\S]*?<\/g>/g)].flatMap((m) =>
    [...m[0].matchAll(/fill="(#[0-9A-Fa-f]{6})"/g)].map((f) => f[1]!),
  )

describe('charts people can read', () => {
  it('gives each implementation its own colour and mark, and a legend naming them', async () => {
    const data = chartData(syntheticResults().runs, metricByKey('wallMs')!)
    const spec = chartSpec(metricByKey('wallMs')!, data) as unknown as {
      spec: { layer: { encoding: Record<string, { field?: string; scale?: { range?: string[] } }> }[] }
    }
    const points = spec.spec.layer.find((l) => l.encoding.shape)!.encoding
    expect(points.color!.field).toBe('impl')
    expect(points.shape!.field).toBe('impl')
    expect(new Set(points.color!.scale!.range).size).toBe(2)
    expect(new Set(points.shape!.scale!.range).size).toBe(2)
    const svg = await renderSvg(chartSpec(metricByKey('wallMs')!, data))
    const words = texts(svg)
    expect(words).toEqual(expect.arrayContaining(['implementation', 'vanilla', 'machine', '3 hosts', '4 hosts']))
    // the data marks carry both colours, one per implementation
    expect(new Set(markFills(svg))).toEqual(new Set(['#0072B2', '#D55E00']))
  })

  it('draws the interval of each median as a bar', async () => {
    const r = syntheticResults()
    const data = chartData(r.runs, metricByKey('wallMs')!)
    const p = data.find((d) => d.hosts === '3 hosts' && d.msgs === 2 && d.impl === 'vanilla')!
    expect(p.lo).toBeGreaterThanOrEqual(600)
    expect(p.hi).toBeLessThanOrEqual(620)
    expect(p.lo).toBeLessThan(p.hi!)
    const svg = await renderSvg(chartSpec(metricByKey('wallMs')!, data))
    expect(svg).toMatch(/class="mark-rule role-mark/)
  })

  it('labels counts as whole numbers and message counts as they are', async () => {
    const svg = await renderSvg(
      chartSpec(metricByKey('gcCount')!, chartData(syntheticResults().runs, metricByKey('gcCount')!)),
    )
    const labels = texts(svg).filter((t) => /^[\d,.]+$/.test(t))
    expect(labels.length).toBeGreaterThan(3)
    for (const l of labels) expect(l, l).toMatch(/^[\d,]+$/)
  })

  it('shows a one-cell matrix as labelled marks, not collapsed dots', async () => {
    const r = syntheticResults()
    r.runs = r.runs.filter((x) => x.hosts === 3 && x.msgs === 2)
    const svg = await renderSvg(chartSpec(metricByKey('wallMs')!, chartData(r.runs, metricByKey('wallMs')!)))
    const words = texts(svg)
    expect(words).toEqual(expect.arrayContaining(['3 hosts', '2', 'messages per run', 'vanilla', 'machine']))
    expect(words.some((w) => /\.0{3,}/.test(w))).toBe(false)
    expect(xmlProblem(svg)).toBeUndefined()
  })

  it('plots the paired ratio per cell with its interval against a rule at 1.00', async () => {
    const r = syntheticResults()
    const data = ratioData(r.runs)
    expect(data).toHaveLength(3 * 4) // wall, CPU, peak RSS × 4 cells
    const wall = data.find((d) => d.metric === 'Wall time (ms)' && d.hosts === 3 && d.msgs === 2)!
    expect(wall).toMatchObject({ pair: 'machine/vanilla', cell: '3 hosts × 2 msgs', n: 3 })
    expect(wall.ratio).toBeCloseTo(1.1, 10)
    const charts = await renderCharts(r.runs, [])
    const svg = charts.get('ratios')!
    expect(texts(svg)).toEqual(expect.arrayContaining(['1.00', 'ratio to vanilla', '4 hosts × 4 msgs', 'machine']))
    r.runs = r.runs.filter((x) => x.impl === 'vanilla')
    expect((await renderCharts(r.runs, [])).has('ratios')).toBe(false)
  })
})

describe('writeReport', () => {
  it('writes bench.md linking every chart, the charts, and results.json that reads back', async () => {
    const out = join(dir, 'r1')
    const results = syntheticResults({ failOne: true })
    await writeReport(out, results)
    const md = readFileSync(join(out, 'bench.md'), 'utf8')
    const svgs = readdirSync(join(out, 'charts'))
    expect(svgs.length).toBe(METRICS.length + 1) // and the ratio chart
    for (const f of svgs) {
      expect(md).toContain(`](charts/${f})`)
      expect(xmlProblem(readFileSync(join(out, 'charts', f), 'utf8'))).toBeUndefined()
    }
    const back = readResults(out)
    expect(back.runs).toHaveLength(results.runs.length)
    expect(back.runs.filter((r) => r.failure !== null)).toHaveLength(1)
    expect(back.config.hosts).toEqual([3, 4])
  })

  it('reads results written before cpus and per-run load existed, for compare and report', () => {
    const old = syntheticResults() as unknown as { config: Record<string, unknown> }
    delete old.config.cpus
    const file = join(dir, 'old.json')
    writeFileSync(file, JSON.stringify(old))
    const back = readResults(file)
    expect(back.config.cpus).toBeNull()
    const rows = compareResults(back, syntheticResults({ factor: 1.5 }), [metricByKey('wallMs')!])
    expect(rows.every((r) => r.verdict === 'higher')).toBe(true)
    const md = renderReport(back)
    expect(md).toContain('| CPU pin | none (runs may move between cores) |')
    expect(md).toContain('Load per run: not recorded (results from an older psm).')
  })
})
