export { startStack, sessionIdOf, tokensOf, freePort, type Stack, type StackOptions } from './stack.js';
