// Errors of the network model at run time (bad model files are InputErrors, from src/config/network.ts).
import { PsmError } from '../../errors.js'

/** The model failed a dial (its dial failure rate); libp2p sees it as a failed transport dial. */
export class NetworkDialError extends PsmError {
  override name = 'NetworkDialError'
}

/** A connection whose other end the model cannot name (not a host of this model). */
export class UnknownHostError extends PsmError {
  override name = 'UnknownHostError'
}
