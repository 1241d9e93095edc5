import { isReauthCode, type ReauthCode } from '../errors.js';

/** Tabs of this app tell each other about sign-in, sign-out and session loss on this channel. */
export const SESSION_CHANNEL_NAME = 'bff-session';

export type SessionMessage =
  | { type: 'signed-out' }
  | { type: 'session-lost'; code: ReauthCode }
  /** A tab opened signed in: a tab showing the re-login prompt checks whether the session is back. */
  | { type: 'signed-in' };

export interface SessionChannel {
  post(message: SessionMessage): void;
  subscribe(onMessage: (message: SessionMessage) => void): () => void;
}

export function isSessionMessage(value: unknown): value is SessionMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (message.type === 'signed-out' || message.type === 'signed-in') return true;
  return message.type === 'session-lost' && isReauthCode(message.code);
}

/** A BroadcastChannel, or a silent stand-in where the browser has none. */
export function openSessionChannel(name = SESSION_CHANNEL_NAME): SessionChannel {
  if (typeof BroadcastChannel === 'undefined') return { post() {}, subscribe: () => () => {} };
  const channel = new BroadcastChannel(name);
  return {
    post: (message) => channel.postMessage(message),
    subscribe(onMessage) {
      const listener = (event: MessageEvent) => {
        if (isSessionMessage(event.data)) onMessage(event.data);
      };
      channel.addEventListener('message', listener);
      return () => channel.removeEventListener('message', listener);
    },
  };
}
