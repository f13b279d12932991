// bench.md, charts and results.json from synthetic results: numbers in every cell, failures counted,
// valid SVG, partial reports marked, ratios computed from medians.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeReport } from '../../src/bench/bench.js'
import { chartData, renderCharts } from '../../src/bench/charts.js'
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
            /^vanilla [\d,.]+ \([\d,.]+–[\d,.]+\)<br>machine [\d,.]+ \([\d,.]+–[\d,.]+\)<br>ratio \*\*(\d+\.\d\d|—)\*\*$/,
          )
        }
      }
    }
    // medians: 3 hosts × 2 msgs: vanilla 600, 610, 620 → 610; machine ×1.1
    expect(t.get('Wall time (ms)')![0]![0]).toBe('vanilla 610 (605–615)<br>machine 671 (666–677)<br>ratio **1.10**')
    expect(t.get('Machine transitions (count)')![0]![0]).toContain('ratio **—**')
    expect(md).toContain('None: every run delivered every message and exited 0.')
    expect(md).toMatch(/\| Wall time \| 1\.10 \| 1\.10 – 1\.10 \| 1\.10 \| 1\.\d\d – 1\.\d\d \|/)
    expect(md).toContain('Aim: machine/vanilla ≤ 1.05 at 4 hosts × 4 msgs for Wall time and Peak RSS: **not met**')
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
    expect(wall[1]![1]).toMatch(/machine [\d,]+ \([\d,]+–[\d,]+\) n=2\/3/)
  })

  it('marks a partial report and shows a cell without successful runs', () => {
    const r = syntheticResults()
    r.meta.complete = false
    r.runs = r.runs.filter((x) => !(x.hosts === 4 && x.msgs === 4 && x.impl === 'machine'))
    r.runs.push({ hosts: 4, msgs: 4, impl: 'machine', iteration: 0, failure: 'exit 1', exitCode: 1, processMs: 5 })
    const md = renderReport(r)
    expect(md).toContain('**Partial (interrupted)**')
    expect(tables(md).get('Wall time (ms)')![1]![1]).toContain('machine — (0/1 ok)<br>ratio **—**')
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
    expect([...charts.keys()]).toEqual(['wallMs', 'peakRssBytes'])
    for (const svg of charts.values()) {
      expect(xmlProblem(svg)).toBeUndefined()
    }
    expect(charts.get('wallMs')).toContain('Wall time (ms)')
    // the checker itself rejects broken markup
    expect(xmlProblem('<svg><g></svg>')).toBeDefined()
    expect(xmlProblem('<svg><rect width=1/></svg>')).toBeDefined()
  })
})

describe('writeReport', () => {
  it('writes bench.md linking every chart, the charts, and results.json that reads back', async () => {
    const out = join(dir, 'r1')
    const results = syntheticResults({ failOne: true })
    await writeReport(out, results)
    const md = readFileSync(join(out, 'bench.md'), 'utf8')
    const svgs = readdirSync(join(out, 'charts'))
    expect(svgs.length).toBe(METRICS.length)
    for (const f of svgs) {
      expect(md).toContain(`](charts/${f})`)
      expect(xmlProblem(readFileSync(join(out, 'charts', f), 'utf8'))).toBeUndefined()
    }
    const back = readResults(out)
    expect(back.runs).toHaveLength(results.runs.length)
    expect(back.runs.filter((r) => r.failure !== null)).toHaveLength(1)
    expect(back.config.hosts).toEqual([3, 4])
  })
})
