// What a lost segment costs on a reliable stream. The rule (TCP-like, chosen to be simple and stated):
// - a write is cut into segments of MSS bytes; each segment is lost independently with the link's
//   probability, and so is each of its retransmissions;
// - a lost segment is resent after one retransmission timeout, RTO = RTT + 200 ms (Linux's srtt +
//   max(4·rttvar, 200 ms min) once the RTT is stable), doubling after each further loss of that segment
//   (exponential backoff); there is no fast retransmit (a gossip message is often one or two segments,
//   too few duplicate ACKs to trigger it);
// - lost segments of one write are resent in parallel (SACK), so the write is late by its worst segment;
// - nothing after it on the connection is delivered before it (head-of-line blocking: the pipe keeps order).
import type { Rng } from '../../rng.js'

/** a typical Ethernet TCP payload */
export const MSS = 1460
export const MIN_RTO_MS = 200
/** a segment lost this many times in a row costs no more: the backoff is capped like TCP's retries */
const MAX_BACKOFFS = 8

export interface LossOutcome {
  /** extra delay of the write, ms */
  delayMs: number
  /** bytes sent again */
  resentBytes: number
}

const NO_LOSS: LossOutcome = { delayMs: 0, resentBytes: 0 }

/** Draws the losses of one write of `bytes` on a link with loss probability `p` and round trip `rttMs`. */
export function drawLoss(rng: Rng, bytes: number, p: number, rttMs: number): LossOutcome {
  if (p <= 0 || bytes <= 0) return NO_LOSS
  const rto = rttMs + MIN_RTO_MS
  const segments = Math.ceil(bytes / MSS)
  let delayMs = 0
  let resentBytes = 0
  for (let s = 0; s < segments; s++) {
    if (rng.next() >= p) continue
    const size = s === segments - 1 ? bytes - s * MSS : MSS
    let wait = rto
    let total = 0
    for (let tries = 0; ; tries++) {
      total += wait
      resentBytes += size
      if (tries >= MAX_BACKOFFS || rng.next() >= p) break
      wait *= 2
    }
    if (total > delayMs) delayMs = total
  }
  return { delayMs, resentBytes }
}
