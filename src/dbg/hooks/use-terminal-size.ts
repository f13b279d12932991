// The terminal's size, following resizes (fixed sizes win, for tests and benches).
import { useStdout } from 'ink'
import { useEffect, useState } from 'react'

export interface Size {
  width: number
  height: number
}

export function useTerminalSize(fixed?: Partial<Size>): Size {
  const { stdout } = useStdout()
  const read = (): Size => ({
    width: fixed?.width ?? (stdout.columns || 100),
    // the last row stays free: a full screen would make Ink clear the terminal on every frame
    height: fixed?.height ?? Math.max(10, (stdout.rows || 31) - 1),
  })
  const [size, setSize] = useState(read)
  useEffect(() => {
    const onResize = (): void => setSize(read())
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  })
  return size
}
