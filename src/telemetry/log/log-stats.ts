// Text form of log statistics (for `psm log stats`).
import { formatNetworkEntry } from '../../net/model/provenance.js'
import type { LogStats } from './reader.js'

export function formatStats(s: LogStats): string {
  const out: string[] = []
  out.push(
    `file:        ${s.file}${s.source ? ` (${s.source})` : ''}${s.version ? `, format version ${s.version}` : ''}`,
  )
  out.push(`network:     ${s.network ? formatNetworkEntry(s.network) : 'none (in-process pipes, no model)'}`)
  out.push(`lines:       ${s.lines}${s.malformed ? ` (${s.malformed} malformed)` : ''}`)
  if (s.firstTime !== undefined && s.lastTime !== undefined) {
    out.push(
      `time:        ${new Date(s.firstTime).toISOString()} .. ${new Date(s.lastTime).toISOString()} (${((s.lastTime - s.firstTime) / 1000).toFixed(1)} s)`,
    )
  }
  out.push(`machines:    ${s.machines}`)
  for (const [type, n] of Object.entries(s.machinesByType).sort()) out.push(`  ${type.padEnd(16)}${n}`)
  const pct = s.txs ? ((100 * s.refused) / s.txs).toFixed(1) : '0.0'
  out.push(`transitions: ${s.txs} (accepted ${s.accepted}, refused ${s.refused} = ${pct}%)`)
  out.push(`snapshots:   ${s.snapshots}   log lines: ${s.logs}`)
  const marks = Object.entries(s.msgs)
  if (marks.length > 0) out.push(`messages:    ${marks.map(([k, n]) => `${k} ${n}`).join(', ')}`)
  out.push('')
  out.push('activations per state (Multi: fires):')
  for (const [type, states] of Object.entries(s.activations).sort()) {
    out.push(`  ${type}`)
    const width = Math.max(...Object.keys(states).map((k) => k.length)) + 2
    for (const [name, n] of Object.entries(states)) out.push(`    ${name.padEnd(width)}${n}`)
  }
  out.push('')
  return out.join('\n')
}
