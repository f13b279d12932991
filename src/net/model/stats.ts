// What the model counts per host: the figures `sim_net_*` metrics and a scenario's JSON will show.

export interface HostNetStats {
  /** bytes handed to the wire by this host, retransmissions included */
  bytesSent: number
  /** bytes delivered to this host */
  bytesReceived: number
  /** writes that waited in, or went through, this host's uplink queue */
  uplinkWrites: number
  /** total and worst time a write waited for this host's uplink, ms */
  uplinkQueueMsTotal: number
  uplinkQueueMsMax: number
  /** segments this host had to send again */
  retransmittedBytes: number
  /** dials from this host the model failed */
  dialsFailed: number
}

export function emptyStats(): HostNetStats {
  return {
    bytesSent: 0,
    bytesReceived: 0,
    uplinkWrites: 0,
    uplinkQueueMsTotal: 0,
    uplinkQueueMsMax: 0,
    retransmittedBytes: 0,
    dialsFailed: 0,
  }
}
