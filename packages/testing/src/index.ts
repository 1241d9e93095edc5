export { startStack, sessionIdOf, tokensOf, freePort, newClientKey, type Stack, type StackOptions } from './stack.js';
export { startOwnRedis, type OwnRedis } from './redisServer.js';
