// Actor ids as logs, metrics and the debugger show them: the names parents spawn their children under.

/** the sim peer `sim-p<n>` */
export const simPeerId = (n: number): string => `sim-p${n}`
/** the pubsub host `ps-<n>` */
export const hostId = (n: number): string => `ps-${n}`
/** the sim's topic `sim-t-<name>` */
export const topicId = (name: string): string => `sim-t-${name}`
/** the bootstrap flow of a topic, `<discovery id>-bf-<topic>` */
export const flowId = (discovery: string, topic: string): string => `${discovery}-bf-${topic}`
