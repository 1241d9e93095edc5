import { describe, expect, it } from 'vitest';
import { QueryObserver } from '@tanstack/react-query';
import { BffError } from '@bff/shared/client';
import { createBffQueryClient } from '@bff/shared/react';
import { isReconnecting } from '../reconnecting';

describe('isReconnecting', () => {
  it('shows Reconnecting while a query retries IDP_UNAVAILABLE and clears it when the request succeeds', async () => {
    const client = createBffQueryClient({ random: () => 0 });
    let calls = 0;
    const observer = new QueryObserver(client, {
      queryKey: ['me'],
      retryDelay: 5,
      queryFn: async () => {
        calls++;
        if (calls === 1) throw new BffError('IdP down', { status: 503, code: 'IDP_UNAVAILABLE' });
        return { sub: 'alice' };
      },
    });
    const seen: boolean[] = [];
    const unsubscribe = observer.subscribe(() => seen.push(isReconnecting(client)));
    await expect.poll(() => observer.getCurrentResult().status).toBe('success');
    unsubscribe();
    expect(calls).toBe(2);
    expect(seen).toContain(true);
    expect(isReconnecting(client)).toBe(false);
    client.clear();
  });
});
