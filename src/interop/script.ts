// Runs one node's part of an interop script, in order, as script_instruction.py defines it: what each
// instruction does to a node is the caller's (`NodeActions`): psm's in-process runner and the standalone
// `psm interop node` give their own. waitUntil counts from the run's start and blocks only this node's
// script; gossipsub keeps delivering and forwarding meanwhile.
import type { GossipSubParams, Instruction } from './params.js'

export interface NodeActions {
  initGossipSub(params: GossipSubParams): Promise<void>
  connect(target: number): Promise<void>
  subscribe(topic: string): void
  setValidationDelay(topic: string, delayMs: number): void
  publish(messageId: number, size: number, topic: string): Promise<void>
  /** resolves once `ms` milliseconds have passed since the run's start (at once when they have) */
  waitUntil(ms: number): Promise<void>
}

/** Runs node `nodeId`'s instructions; stops between instructions once `signal` aborts. */
export async function runScript(
  script: readonly Instruction[],
  nodeId: number,
  actions: NodeActions,
  signal?: AbortSignal,
): Promise<void> {
  for (const ins of script) {
    if (signal?.aborted) return
    await runInstruction(ins, nodeId, actions)
  }
}

async function runInstruction(ins: Instruction, nodeId: number, a: NodeActions): Promise<void> {
  switch (ins.type) {
    case 'initGossipSub':
      return a.initGossipSub(ins.gossipSubParams)
    case 'connect':
      // one at a time, in the listed order, as go-libp2p's interop node does
      for (const t of ins.connectTo) await a.connect(t)
      return
    case 'subscribeToTopic':
      return a.subscribe(ins.topicID)
    case 'setTopicValidationDelay':
      return a.setValidationDelay(ins.topicID, ins.delaySeconds * 1000)
    case 'publish':
      return a.publish(ins.messageID, ins.messageSizeBytes, ins.topicID)
    case 'waitUntil':
      return a.waitUntil(ins.elapsedSeconds * 1000)
    case 'ifNodeIDEquals':
      if (ins.nodeID === nodeId) return runInstruction(ins.instruction, nodeId, a)
      return
  }
}
