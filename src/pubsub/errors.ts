// Named errors of the machine-driven pubsub service; messages say what failed and on which topic.
import { errorMessage } from '../errors.js'

/** Publishing found no peer subscribed to the topic (gossipsub's PublishError.NoPeersSubscribedToTopic). */
export class NoTopicPeersError extends Error {
  override name = 'NoTopicPeersError'
  constructor(
    readonly topic: string,
    options?: { cause?: unknown },
  ) {
    super(
      `publish on topic '${topic}': no peers subscribed to the topic (PublishError.NoPeersSubscribedToTopic)`,
      options,
    )
  }
}

/** A publish that gossipsub refused for another reason (duplicate, not started, ...). */
export class PublishFailedError extends Error {
  override name = 'PublishFailedError'
  constructor(
    readonly topic: string,
    options: { cause: unknown },
  ) {
    super(`publish on topic '${topic}' failed: ${errorMessage(options.cause)}`, options)
  }
}

/** Gives gossipsub's terse publish errors a message that names the topic and the reason. */
export function publishError(topic: string, err: unknown): Error {
  if (err instanceof NoTopicPeersError || err instanceof PublishFailedError) return err
  if (errorMessage(err).includes('NoPeersSubscribedToTopic')) return new NoTopicPeersError(topic, { cause: err })
  return new PublishFailedError(topic, { cause: err })
}
