// `--cpus`: pins every bench run to a CPU list with taskset (util-linux), so a run keeps its cores and
// does not fight other work for them. Checked once before the bench starts: a pin that cannot be
// applied is an error, never a silently unpinned bench.
import { spawnSync } from 'node:child_process'
import { InputError } from '../errors.js'

/** The command prefix that pins a child to `cpus` (`taskset -c cpus`), checked to work here. */
export function cpuPin(cpus: string, spawn: typeof spawnSync = spawnSync): string[] {
  const prefix = ['taskset', '-c', cpus]
  // taskset execs its command, so the pinned process is the child itself and signals reach it directly
  const probe = spawn(prefix[0]!, [...prefix.slice(1), process.execPath, '-e', ''], { encoding: 'utf8' })
  if (probe.error) {
    const missing = (probe.error as NodeJS.ErrnoException).code === 'ENOENT'
    throw new InputError(
      missing
        ? `cpus ${cpus}: taskset not found (Debian package util-linux); install it or run without --cpus`
        : `cpus ${cpus}: cannot run taskset: ${probe.error.message}`,
    )
  }
  if (probe.status !== 0) {
    const said = String(probe.stderr ?? '')
      .trim()
      .split('\n')
      .pop()
    throw new InputError(`cpus ${cpus}: taskset refused it${said ? `: ${said.slice(0, 200)}` : ''}`)
  }
  return prefix
}
