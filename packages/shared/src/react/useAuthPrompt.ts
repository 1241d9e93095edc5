import { useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import type { AuthPrompt } from '../client/authPrompt.js';
import { bffClientParts } from './bffClientParts.js';

/** What to tell the person about their sign-in: nothing, "sign in again" with a reason, or "signed out". */
export function useAuthPrompt(): AuthPrompt {
  const { prompt } = bffClientParts(useQueryClient());
  return useSyncExternalStore(prompt.subscribe, prompt.get);
}
