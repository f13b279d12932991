// The recorded args of an IncomingRPC: who sent it (a machine id), the ids of the messages it carried
// and its control entries. Built only when a recorder listens; args stay primitives (records.ts).
import type { Args } from '../../machines/events.js'
import type { RpcLike } from './internals.js'

/**
 * Message ids an IncomingRPC names: the first RPC_IDS of its messages, comma-separated, beside `msgs`
 * (all of them). Four default ids (43 base64 characters each) fit the recorder's 200-character cut of
 * an arg; a larger RPC's other messages are still marked one by one by their `msg` records.
 */
export const RPC_IDS = 4

interface Control {
  ihave?: Array<{ topicID?: string; messageIDs?: unknown[] }>
  iwant?: Array<{ messageIDs?: unknown[] }>
  graft?: Array<{ topicID?: string }>
  prune?: Array<{ topicID?: string }>
  idontwant?: Array<{ messageIDs?: unknown[] }>
}

const topics = (xs: Array<{ topicID?: string }>): string => xs.map((x) => x.topicID ?? '?').join(',')
const idCount = (xs: Array<{ messageIDs?: unknown[] }>): number =>
  xs.reduce((a, x) => a + (x.messageIDs?.length ?? 0), 0)

/**
 * `{ from, msgs, ids?, subs, ctrl, graft?, prune?, ihave?, iwant?, idontwant? }`: `ihave` is
 * `topic×ids` per entry, `iwant`/`idontwant` count message ids, `graft`/`prune` list topics.
 * `msgId` computes a message's id from its data (absent: ids are not named, e.g. signed messages).
 */
export function incomingRpcArgs(from: string, rpc: RpcLike, msgId?: (data: Uint8Array) => string): Args {
  const msgs = (rpc.messages ?? []) as Array<{ data?: Uint8Array }>
  const args: Record<string, unknown> = { from, msgs: msgs.length, subs: rpc.subscriptions?.length ?? 0 }
  if (msgId && msgs.length > 0) {
    const ids: string[] = []
    for (let i = 0; i < msgs.length && i < RPC_IDS; i++) {
      const data = msgs[i]!.data
      if (data) ids.push(msgId(data))
    }
    if (ids.length > 0) args.ids = ids.join(',')
  }
  const ctl = rpc.control as Control | undefined | null
  let ctrl = 0
  if (ctl) {
    if (ctl.graft?.length) {
      args.graft = topics(ctl.graft)
      ctrl += ctl.graft.length
    }
    if (ctl.prune?.length) {
      args.prune = topics(ctl.prune)
      ctrl += ctl.prune.length
    }
    if (ctl.ihave?.length) {
      args.ihave = ctl.ihave.map((e) => `${e.topicID ?? '?'}×${e.messageIDs?.length ?? 0}`).join(',')
      ctrl += ctl.ihave.length
    }
    if (ctl.iwant?.length) {
      args.iwant = idCount(ctl.iwant)
      ctrl += ctl.iwant.length
    }
    if (ctl.idontwant?.length) {
      args.idontwant = idCount(ctl.idontwant)
      ctrl += ctl.idontwant.length
    }
  }
  args.ctrl = ctrl
  return args
}
