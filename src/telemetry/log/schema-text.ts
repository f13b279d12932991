// Human-readable text of machine schemas (for `psm machines`).
import type { MachineSchema, StateSchema } from '../../../machines/schema.js'

export function relationText(s: StateSchema): string {
  const parts: string[] = []
  if (s.multi) parts.push('multi')
  if (s.auto) parts.push('auto')
  if (s.group) parts.push(`group ${s.group}`)
  if (s.require?.length) parts.push(`require ${s.require.join(',')}`)
  if (s.add?.length) parts.push(`add ${s.add.join(',')}`)
  if (s.remove?.length) parts.push(`remove ${s.remove.join(',')}`)
  return parts.join('; ')
}

export function formatSchemas(
  entries: ReadonlyArray<{ type: string; idPattern: string; description: string; schema: MachineSchema }>,
): string {
  const out: string[] = []
  for (const e of entries) {
    out.push(`${e.type} (${e.idPattern}, ${e.schema.states.length} states): ${e.description}`)
    const width = Math.max(...e.schema.states.map((s) => s.name.length)) + 2
    for (const s of e.schema.states) {
      const rel = relationText(s)
      out.push(`  ${s.name.padEnd(width)}${rel}`.trimEnd())
    }
    out.push('')
  }
  return out.join('\n')
}
