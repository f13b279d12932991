// Stopping every host of a run in parallel, bounded in time, without letting Node exit under us.
// libp2p's connection close waits on AbortSignal.timeout, whose timers do not keep the event loop
// alive: when that is the only pending work, Node finds nothing to run and exits with code 13
// ("unsettled top-level await") in the middle of a run that had succeeded. A ref'd timer held for the
// whole stop keeps the loop alive, and the same timer bounds the stop: hosts still closing after
// `timeoutMs` are left behind (the process is about to exit anyway).

export interface Stoppable {
  stop(): Promise<void> | void
}

export interface StopReport {
  stopped: number
  /** hosts whose stop failed or did not finish in time */
  unfinished: number
  ms: number
}

/** Stops every host at once; resolves within about `timeoutMs`, never rejects. */
export async function stopHosts(hosts: readonly Stoppable[], timeoutMs: number): Promise<StopReport> {
  const t0 = performance.now()
  let stopped = 0
  const all = Promise.all(
    hosts.map(async (h) => {
      try {
        await h.stop()
        stopped++
      } catch {
        // a host that fails to stop is counted as unfinished
      }
    }),
  )
  let timer: ReturnType<typeof setTimeout> | undefined
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs)
  })
  try {
    await Promise.race([all, limit])
  } finally {
    clearTimeout(timer)
  }
  return { stopped, unfinished: hosts.length - stopped, ms: Math.round(performance.now() - t0) }
}
