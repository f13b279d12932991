// Playback: while playing, one step of the selected machine every `intervalMs`.
import { useEffect } from 'react'
import type { DbgController } from '../ui/controller.js'

export function usePlay(c: DbgController, playing: boolean, intervalMs: number): void {
  useEffect(() => {
    if (!playing) return
    const timer = setInterval(() => c.playStep(), intervalMs)
    return () => clearInterval(timer)
  }, [c, playing, intervalMs])
}
