// `psm machines [--json]`: the six machines' schemas, derived from their definitions.

import { machineCatalog } from '../machines/index.js'
import { deriveSchema } from '../machines/schema.js'
import { formatHelp, parseFlags } from '../src/cli/args.js'
import { UsageError } from '../src/errors.js'
import { formatSchemas } from '../src/telemetry/log/schema-text.js'

const FLAGS = {
  json: { type: 'boolean', description: 'print JSON: [{type, idPattern, description, schema}]' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const

export async function main(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('machines', argv, FLAGS)
  if (flags.help) {
    process.stdout.write(formatHelp('psm machines [--json]', "Prints the six machines' derived schemas.", FLAGS))
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  const entries = machineCatalog().map((m) => ({
    type: m.type,
    idPattern: m.idPattern,
    description: m.description,
    schema: deriveSchema(m.machine),
  }))
  process.stdout.write(flags.json ? `${JSON.stringify(entries, null, 2)}\n` : formatSchemas(entries))
  return 0
}
