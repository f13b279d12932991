// A node's stdout as gossipsub-interop defines it (test-specs/implementation.md): newline-delimited JSON,
// every line with `time` (RFC 3339) and `msg`; a "PeerID" line with `id` and `node_id` at start, and a
// "Received Message" line with the message `id` in base 10 for every message received, duplicates
// included. analyze_message_deliveries.py reads `msg`, `time`, `id` and `node_id`; the rest is what
// go-libp2p's slog handler adds (level, service) and the SHOULD fields: topic, and from where psm knows
// it (gossipsub names the sender of a node's first copy only).

/** RFC 3339 in UTC with microseconds (Python's datetime.fromisoformat reads it), from epoch milliseconds. */
export function rfc3339(epochMs: number): string {
  const whole = Math.floor(epochMs)
  const micros = Math.min(999, Math.floor((epochMs - whole) * 1000))
  const iso = new Date(whole).toISOString() // 2030-01-01T00:02:00.123Z
  return `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`
}

export function peerIdLine(epochMs: number, peerId: string, nodeId: number): string {
  return `${JSON.stringify({ time: rfc3339(epochMs), level: 'INFO', msg: 'PeerID', id: peerId, node_id: nodeId })}\n`
}

export function receivedLine(epochMs: number, id: string, topic: string, from?: string): string {
  const line: Record<string, string> = {
    time: rfc3339(epochMs),
    level: 'INFO',
    msg: 'Received Message',
    service: 'gossipsub',
  }
  if (from !== undefined) line.from = from
  line.topic = topic
  line.id = id
  return `${JSON.stringify(line)}\n`
}

/** The stdout file of node `i` under an output folder, as Shadow lays it out: hosts/node<i>/<name>.<pid>.stdout */
export function nodeLogPath(i: number): string {
  return `hosts/node${i}/psm.1000.stdout`
}
