export {
  startStack,
  sessionIdOf,
  tokensOf,
  freePort,
  newClientKey,
  FIRST_AUDIENCE,
  SECOND_AUDIENCE,
  type Stack,
  type StackOptions,
} from './stack.js';
export { startOwnRedis, type OwnRedis } from './redisServer.js';
export { startCluster, startSentinels, type TestCluster, type TestSentinels } from './redisTopologies.js';
export type { ReplicaReport } from './replicaReport.js';
