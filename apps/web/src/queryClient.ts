import type { BffError } from '@bff/shared/client';
import { createBffQueryClient } from '@bff/shared/react';

declare module '@tanstack/react-query' {
  interface Register {
    // Every queryFn and mutationFn in this app calls bffFetch, which only ever
    // rejects with a BffError (network failures included).
    defaultError: BffError;
  }
}

/** The one QueryClient of the app: re-login prompt, other tabs, retries (`createBffQueryClient`); the BFF at `/auth` and `/api`. */
export const queryClient = createBffQueryClient();
