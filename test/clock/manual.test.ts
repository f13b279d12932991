// The manual clock: timers fire in due order, ties in the order set, cleared timers never fire.
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock/manual.js'

describe('ManualClock', () => {
  it('fires timers in due order, equal due times in the order they were set', () => {
    const clock = new ManualClock(1000)
    const fired: string[] = []
    clock.setTimer(() => fired.push('b@20'), 20)
    clock.setTimer(() => fired.push('a@10'), 10)
    clock.setTimer(() => fired.push('c@20'), 20)
    const d = clock.setTimer(() => fired.push('d@15'), 15)
    clock.clearTimer(d)
    clock.advance(19)
    expect(fired).toEqual(['a@10'])
    expect(clock.now()).toBe(1019)
    clock.advance(1)
    expect(fired).toEqual(['a@10', 'b@20', 'c@20'])
    expect(clock.pending()).toBe(0)
  })

  it('fires timers set by timers when they fall due within the same advance', () => {
    const clock = new ManualClock()
    const at: number[] = []
    clock.setTimer(() => {
      at.push(clock.now())
      clock.setTimer(() => at.push(clock.now()), 5)
    }, 5)
    clock.advance(100)
    expect(at).toEqual([5, 10])
  })

  it('aborts a timeout signal with a TimeoutError when its time comes', () => {
    const clock = new ManualClock()
    const signal = clock.timeoutSignal(50)
    clock.advance(49)
    expect(signal.aborted).toBe(false)
    clock.advance(1)
    expect(signal.aborted).toBe(true)
    expect((signal.reason as Error).name).toBe('TimeoutError')
  })
})
