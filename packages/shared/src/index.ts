export * from './errors.js';
export * from './session.js';
export * from './sessionEnd.js';
export * from './http.js';
export * from './demo.js';
