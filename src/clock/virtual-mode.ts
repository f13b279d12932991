// The clocks a run can use: real (wall time, today's behaviour), virtual (simulated time that jumps to
// the next timer when the process is idle), paced (virtual, never ahead of the wall clock).

export const CLOCK_MODES = ['real', 'virtual', 'paced'] as const
export type ClockMode = (typeof CLOCK_MODES)[number]

/** Commands that run on a chosen clock. */
export const CLOCKED_COMMANDS: readonly string[] = ['sim', 'scenario', 'interop', 'experiment', 'dht']
