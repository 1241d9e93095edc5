export { Browser } from './browser.js';
export { freePort } from './freePort.js';
