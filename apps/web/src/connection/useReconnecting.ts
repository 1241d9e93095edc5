import { useCallback, useSyncExternalStore } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { isReconnecting, subscribeToCaches } from './reconnecting';

/** True while requests are waiting for the IdP or the BFF to come back. */
export function useReconnecting(): boolean {
  const client = useQueryClient();
  const subscribe = useCallback((listener: () => void) => subscribeToCaches(client, listener), [client]);
  return useSyncExternalStore(subscribe, () => isReconnecting(client));
}
