// The six psm machines and how their actors are named.
import type { AnyStateMachine } from 'xstate'
import { BOOTSTRAP_FLOW_TYPE, bootstrapFlowMachine } from './bootstrap-flow.js'
import { DISCOVERY_TYPE, discoveryMachine } from './discovery.js'
import { PUBSUB_HOST_TYPE, pubsubHostMachine } from './pubsub-host.js'
import { SIM_PEER_TYPE, simPeerMachine } from './sim-peer.js'
import { SIMULATOR_TYPE, simulatorMachine } from './simulator.js'
import { TOPIC_TYPE, topicMachine } from './topic.js'

export interface MachineEntry {
  type: string
  /** actor id pattern, as the debugger and metrics show it */
  idPattern: string
  description: string
  machine: AnyStateMachine
}

export function machineCatalog(): MachineEntry[] {
  return [
    {
      type: PUBSUB_HOST_TYPE,
      idPattern: 'ps-<n>',
      description: 'the gossipsub event loop of one host: peers, topics, subscriptions, RPCs',
      machine: pubsubHostMachine,
    },
    {
      type: DISCOVERY_TYPE,
      idPattern: 'ps-<n>-disc',
      description: 'advertises joined topics, refreshes on a pool timer, discovers topics lacking peers',
      machine: discoveryMachine,
    },
    {
      type: BOOTSTRAP_FLOW_TYPE,
      idPattern: 'ps-<n>-disc-bf-<topic>',
      description: 'one topic bootstrap: check → discover → delay → check until ready',
      machine: bootstrapFlowMachine,
    },
    {
      type: SIMULATOR_TYPE,
      idPattern: 'sim',
      description: 'the simulator: heartbeat and random actions over peers, topics and friends',
      machine: simulatorMachine,
    },
    {
      type: SIM_PEER_TYPE,
      idPattern: 'sim-p<n>',
      description: 'one simulated peer: identity, connection, topics, messages',
      machine: simPeerMachine,
    },
    {
      type: TOPIC_TYPE,
      idPattern: 'sim-t-<name>',
      description: 'one simulated topic: Stale, HasPeers, Active, Peaking',
      machine: topicMachine,
    },
  ]
}
