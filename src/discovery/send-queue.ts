// Serialises the events sent to one actor: an event sent while the actor processes another waits and
// goes in after it, so every event reaches the actor (and its inspection) when it is idle.
import type { AnyActorRef, EventObject } from 'xstate'

export class SendQueue<E extends EventObject> {
  private depth = 0
  private readonly queue: E[] = []
  /** events sent (each is one transition) */
  count = 0

  constructor(private readonly actor: () => AnyActorRef) {}

  send(ev: E): void {
    this.count++
    if (this.depth > 0) {
      this.queue.push(ev)
      return
    }
    const actor = this.actor()
    // deferred sends may arrive after a stop
    if (actor.getSnapshot().status !== 'active') return
    this.depth++
    try {
      actor.send(ev)
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) actor.send(next)
    } finally {
      this.depth--
    }
  }
}
