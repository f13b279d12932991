// `psm bench`: not built yet.
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('psm bench: not available yet\n')
  return 1
}
