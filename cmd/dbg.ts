// `psm dbg`: not built yet.
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('psm dbg: not available yet\n')
  return 1
}
