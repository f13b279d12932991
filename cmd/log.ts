// `psm log`: not built yet.
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('psm log: not available yet\n')
  return 1
}
