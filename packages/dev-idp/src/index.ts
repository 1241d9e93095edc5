export { PROFILES, PROFILE_NAMES, DEFAULT_PROFILE, isProfileName } from './profiles.js';
export type { ProfileName, ProviderProfile } from './profiles.js';
export { startIdp } from './startIdp.js';
export type { IdpOptions, RunningIdp } from './startIdp.js';
export type { Counters, GrantCounters } from './counters.js';
export { REFRESH_REFUSALS } from './tokenEndpoint.js';
export { JSON_ONLY_DESCRIPTION } from './jsonTokenRequests.js';
export { USERS } from './accounts.js';
export type { DemoUser } from './accounts.js';
