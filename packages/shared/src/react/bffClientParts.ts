import type { QueryClient } from '@tanstack/react-query';
import { createAuthPromptStore, type AuthPromptStore } from '../client/authPrompt.js';
import { DEFAULT_BFF_PATHS, type BffPaths } from '../client/paths.js';
import type { SessionChannel } from '../client/sessionChannel.js';

/** What the hooks need beside the cache: where the BFF is, the other tabs, the re-login prompt. */
export interface BffClientParts {
  paths: BffPaths;
  channel: SessionChannel;
  prompt: AuthPromptStore;
}

const partsByClient = new WeakMap<QueryClient, BffClientParts>();

/** Kept with the QueryClient, so that the hooks find them through `useQueryClient()`: no provider of our own (docs/architecture.md, "The browser client"). */
export function setBffClientParts(client: QueryClient, parts: BffClientParts): void {
  partsByClient.set(client, parts);
}

/**
 * The parts `createBffQueryClient` made `client` with. A QueryClient made
 * otherwise gets the defaults: paths `/auth` and `/api`, no other tabs, a
 * prompt of its own.
 */
export function bffClientParts(client: QueryClient): BffClientParts {
  let parts = partsByClient.get(client);
  if (parts === undefined) {
    parts = { paths: DEFAULT_BFF_PATHS, channel: { post() {}, subscribe: () => () => {} }, prompt: createAuthPromptStore() };
    partsByClient.set(client, parts);
  }
  return parts;
}
