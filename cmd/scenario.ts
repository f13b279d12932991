// `psm scenario`: not built yet.
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('psm scenario: not available yet\n')
  return 1
}
