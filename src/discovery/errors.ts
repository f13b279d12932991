// Named errors of topic discovery; the message says which topic, how long, and how far it got.

export class TopicJoinTimeoutError extends Error {
  override name = 'TopicJoinTimeoutError'
  constructor(
    readonly topic: string,
    readonly timeoutMs: number,
    readonly peers: number,
    readonly minPeers: number,
  ) {
    super(`topic '${topic}' not ready after ${Math.round(timeoutMs)} ms: ${peers} of ${minPeers} wanted topic peers`)
  }
}

/** The host stopped or left the topic while a join waited. */
export class TopicJoinAbortedError extends Error {
  override name = 'TopicJoinAbortedError'
  constructor(
    readonly topic: string,
    reason: string,
  ) {
    super(`joining topic '${topic}' aborted: ${reason}`)
  }
}
