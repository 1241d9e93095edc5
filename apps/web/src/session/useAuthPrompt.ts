import { useSyncExternalStore } from 'react';
import { authPrompt, type AuthPrompt } from './authPrompt';

export function useAuthPrompt(): AuthPrompt {
  return useSyncExternalStore(authPrompt.subscribe, authPrompt.get);
}
