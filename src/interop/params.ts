// gossipsub-interop's params.json (libp2p/test-plans, gossipsub-interop/script_instruction.py): an
// `ExperimentParams` object whose `script` is a list of typed instructions every node runs in order.
// Parsed into plain data and checked; every problem is an InputError naming the file and the JSON path
// (upstream writes params.json on one line, so a path says more than a line number would).
// Partial-message instructions are refused until psm supports them.
import { InputError } from '../errors.js'

/** go-libp2p-pubsub's GossipSubParams as JSON: durations are nanoseconds. Absent fields keep defaults. */
export type GossipSubParams = Partial<Record<GossipSubParamName, number>>

/** Every field of script_instruction.py's GossipSubParams. */
export const GOSSIPSUB_PARAM_NAMES = [
  'D',
  'Dlo',
  'Dhi',
  'Dscore',
  'Dout',
  'HistoryLength',
  'HistoryGossip',
  'Dlazy',
  'GossipFactor',
  'GossipRetransmission',
  'HeartbeatInitialDelay',
  'HeartbeatInterval',
  'SlowHeartbeatWarning',
  'FanoutTTL',
  'PrunePeers',
  'PruneBackoff',
  'UnsubscribeBackoff',
  'Connectors',
  'MaxPendingConnections',
  'ConnectionTimeout',
  'DirectConnectTicks',
  'DirectConnectInitialDelay',
  'OpportunisticGraftTicks',
  'OpportunisticGraftPeers',
  'GraftFloodThreshold',
  'MaxIHaveLength',
  'MaxIHaveMessages',
  'MaxIDontWantLength',
  'MaxIDontWantMessages',
  'IWantFollowupTime',
  'IDontWantMessageThreshold',
  'IDontWantMessageTTL',
] as const
export type GossipSubParamName = (typeof GOSSIPSUB_PARAM_NAMES)[number]

export type Instruction =
  | { type: 'initGossipSub'; gossipSubParams: GossipSubParams }
  | { type: 'connect'; connectTo: number[] }
  | { type: 'subscribeToTopic'; topicID: string }
  | { type: 'setTopicValidationDelay'; topicID: string; delaySeconds: number }
  | { type: 'publish'; messageID: number; messageSizeBytes: number; topicID: string }
  | { type: 'waitUntil'; elapsedSeconds: number }
  | { type: 'ifNodeIDEquals'; nodeID: number; instruction: Instruction }

export interface ExperimentParams {
  script: Instruction[]
  /** where each top-level instruction came from, for messages: `script[i]` */
  file: string
}

/**
 * The largest message psm can publish: @libp2p/gossipsub 17.1.1 frames every outbound RPC with
 * it-length-prefixed's default 4 MiB limit (not an option) and drops larger ones; 1 KiB is left for the
 * RPC's own fields. (go-libp2p's interop node takes up to 10 MiB, and psm's nodes receive that much.)
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024 - 1024

/** The instruction types upstream defines that psm does not run yet. */
export const UNSUPPORTED_TYPES = ['addPartialMessage', 'publishPartial'] as const

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Reads the text of a params.json; throws InputError naming `file` and the path of the problem. */
export function parseParams(text: string, file: string): ExperimentParams {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new InputError(`${file}: not valid JSON: ${(err as Error).message.split('\n')[0]}`)
  }
  if (!isObject(doc)) throw new InputError(`${file}: must be a JSON object with a 'script' list`)
  for (const k of Object.keys(doc)) {
    if (k !== 'script') throw new InputError(`${file}: ${k}: unknown key (known keys here: script)`)
  }
  if (!Array.isArray(doc.script)) throw new InputError(`${file}: script: must be a list of instructions`)
  const fail = (path: string, message: string): never => {
    throw new InputError(`${file}: ${path}: ${message}`)
  }
  return { script: doc.script.map((x, i) => readInstruction(x, `script[${i}]`, fail)), file }
}

type Fail = (path: string, message: string) => never

function readInstruction(v: unknown, path: string, fail: Fail): Instruction {
  if (!isObject(v)) return fail(path, 'must be an instruction object with a "type"')
  const type = v.type
  const only = (keys: string[]) => {
    for (const k of Object.keys(v)) {
      if (k !== 'type' && !keys.includes(k))
        fail(`${path}.${k}`, `unknown key for '${type}' (known: ${keys.join(', ')})`)
    }
  }
  switch (type) {
    case 'initGossipSub':
      only(['gossipSubParams'])
      return { type, gossipSubParams: readGossipSubParams(v.gossipSubParams, `${path}.gossipSubParams`, fail) }
    case 'connect': {
      only(['connectTo'])
      if (!Array.isArray(v.connectTo)) return fail(`${path}.connectTo`, 'must be a list of node ids')
      return { type, connectTo: v.connectTo.map((n, i) => nodeId(n, `${path}.connectTo[${i}]`, fail)) }
    }
    case 'subscribeToTopic':
      only(['topicID', 'partial'])
      if (v.partial !== undefined && typeof v.partial !== 'boolean') fail(`${path}.partial`, 'must be true or false')
      if (v.partial === true) fail(`${path}.partial`, 'partial messages are not supported by psm yet')
      return { type, topicID: topic(v.topicID, `${path}.topicID`, fail) }
    case 'setTopicValidationDelay': {
      only(['topicID', 'delaySeconds'])
      const d = v.delaySeconds
      if (typeof d !== 'number' || !Number.isFinite(d) || d < 0)
        fail(`${path}.delaySeconds`, `${JSON.stringify(d)} is not a number of seconds >= 0`)
      return { type, topicID: topic(v.topicID, `${path}.topicID`, fail), delaySeconds: d as number }
    }
    case 'publish': {
      only(['messageID', 'messageSizeBytes', 'topicID'])
      const id = v.messageID
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
        fail(`${path}.messageID`, `${JSON.stringify(id)} is not a whole number >= 0`)
      const size = v.messageSizeBytes
      // the message id is the first 8 bytes of the message: shorter messages cannot carry one
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 8 || size > MAX_MESSAGE_BYTES)
        fail(
          `${path}.messageSizeBytes`,
          `${JSON.stringify(size)} is not a whole number from 8 (the id) to ${MAX_MESSAGE_BYTES} (the largest @libp2p/gossipsub 17.1.1 sends)`,
        )
      return {
        type,
        messageID: id as number,
        messageSizeBytes: size as number,
        topicID: topic(v.topicID, `${path}.topicID`, fail),
      }
    }
    case 'waitUntil': {
      only(['elapsedSeconds'])
      const s = v.elapsedSeconds
      if (typeof s !== 'number' || !Number.isFinite(s) || s < 0)
        fail(`${path}.elapsedSeconds`, `${JSON.stringify(s)} is not a number of seconds >= 0`)
      return { type, elapsedSeconds: s as number }
    }
    case 'ifNodeIDEquals':
      only(['nodeID', 'instruction'])
      return {
        type,
        nodeID: nodeId(v.nodeID, `${path}.nodeID`, fail),
        instruction: readInstruction(v.instruction, `${path}.instruction`, fail),
      }
    default:
      if ((UNSUPPORTED_TYPES as readonly unknown[]).includes(type))
        return fail(`${path}.type`, `'${String(type)}' (partial messages) is not supported by psm yet`)
      return fail(
        `${path}.type`,
        `${JSON.stringify(type)} is not an instruction (known: initGossipSub, connect, subscribeToTopic, setTopicValidationDelay, publish, waitUntil, ifNodeIDEquals)`,
      )
  }
}

function readGossipSubParams(v: unknown, path: string, fail: Fail): GossipSubParams {
  if (v === undefined) return {}
  if (!isObject(v)) return fail(path, 'must be an object of GossipSubParams fields')
  const out: GossipSubParams = {}
  for (const [k, x] of Object.entries(v)) {
    if (!(GOSSIPSUB_PARAM_NAMES as readonly string[]).includes(k))
      fail(`${path}.${k}`, 'not a GossipSubParams field (see script_instruction.py)')
    if (x === null) continue
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0)
      fail(`${path}.${k}`, `${JSON.stringify(x)} is not a number >= 0`)
    out[k as GossipSubParamName] = x as number
  }
  return out
}

function nodeId(v: unknown, path: string, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(path, `${JSON.stringify(v)} is not a node id`)
  return v as number
}

function topic(v: unknown, path: string, fail: Fail): string {
  if (typeof v !== 'string' || v.length === 0) fail(path, `${JSON.stringify(v)} is not a topic name`)
  return v as string
}

/**
 * Checks the script against a run of `nodes` nodes: every node id it names exists, no node connects to
 * itself, and every node's first instruction is initGossipSub (upstream calls anything else first
 * undefined behaviour; psm creates a node's host there).
 */
export function checkScript(params: ExperimentParams, nodes: number): void {
  const { file } = params
  const inited: boolean[] = new Array(nodes).fill(false)
  const visit = (ins: Instruction, path: string, only: number | undefined): void => {
    if (ins.type === 'ifNodeIDEquals') {
      if (ins.nodeID >= nodes)
        throw new InputError(`${file}: ${path}.nodeID: node ${ins.nodeID} does not exist (shadow.yaml has ${nodes})`)
      if (only === undefined || only === ins.nodeID) visit(ins.instruction, `${path}.instruction`, ins.nodeID)
      return
    }
    if (ins.type === 'connect') {
      ins.connectTo.forEach((t, i) => {
        if (t >= nodes)
          throw new InputError(`${file}: ${path}.connectTo[${i}]: node ${t} does not exist (shadow.yaml has ${nodes})`)
        if (only === t) throw new InputError(`${file}: ${path}.connectTo[${i}]: node ${t} connects to itself`)
      })
    }
    if (ins.type === 'waitUntil') return
    const from = only ?? 0
    const to = only ?? nodes - 1
    for (let n = from; n <= to; n++) {
      if (ins.type === 'initGossipSub') {
        if (inited[n]) throw new InputError(`${file}: ${path}: node ${n} runs initGossipSub a second time`)
        inited[n] = true
      } else if (!inited[n]) {
        throw new InputError(`${file}: ${path}: node ${n} runs '${ins.type}' before initGossipSub`)
      }
    }
  }
  params.script.forEach((ins, i) => {
    visit(ins, `script[${i}]`, undefined)
  })
  const missing = inited.indexOf(false)
  if (missing >= 0) throw new InputError(`${file}: script: node ${missing} never runs initGossipSub`)
}
