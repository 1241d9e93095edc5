import { afterEach, describe, expect, it } from 'vitest';
import { isSessionMessage, openSessionChannel, type SessionMessage } from '../sessionChannel.js';

// Node has BroadcastChannel: two channels of one name in one process are two tabs.
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

function tab(name: string) {
  const channel = openSessionChannel(name);
  const received: SessionMessage[] = [];
  closers.push(channel.subscribe((message) => void received.push(message)));
  return { channel, received };
}

describe('openSessionChannel', () => {
  it("carries sign-out and session loss to the app's other tabs, not back to the sender", async () => {
    const name = `test-${Math.random()}`;
    const [first, second] = [tab(name), tab(name)];
    first.channel.post({ type: 'signed-out' });
    first.channel.post({ type: 'session-lost', code: 'TOKEN_REVOKED' });
    await expect.poll(() => second.received).toEqual([{ type: 'signed-out' }, { type: 'session-lost', code: 'TOKEN_REVOKED' }]);
    expect(first.received).toEqual([]);
  });

  it('passes on nothing but session messages', async () => {
    const name = `test-${Math.random()}`;
    const listener = tab(name);
    const stranger = new BroadcastChannel(name);
    stranger.postMessage({ type: 'session-lost', code: 'NOT_A_CODE' });
    stranger.postMessage('signed-out');
    stranger.postMessage({ type: 'signed-in' });
    await expect.poll(() => listener.received).toEqual([{ type: 'signed-in' }]);
    stranger.close();
  });

  it('is silent where the browser has no BroadcastChannel', () => {
    expect(isSessionMessage({ type: 'session-lost', code: 'EXPIRED_TOKEN' })).toBe(true);
    const original = globalThis.BroadcastChannel;
    // @ts-expect-error -- a browser without BroadcastChannel
    delete globalThis.BroadcastChannel;
    try {
      const channel = openSessionChannel('none');
      expect(() => channel.post({ type: 'signed-out' })).not.toThrow();
      channel.subscribe(() => {})();
    } finally {
      globalThis.BroadcastChannel = original;
    }
  });
});
