import type { FastifyBaseLogger } from 'fastify';
import type { BffEvent, EventSink } from './events.js';

/** Which events are security events, and at what level an operator sees them. */
const AUDITED: Partial<Record<BffEvent['type'], 'info' | 'warn'>> = {
  'session.started': 'info',
  'session.ended': 'info',
  'signIn.refused': 'warn',
  'refresh.reuseSuspected': 'warn',
  'backchannel.logout': 'info',
  'csrf.refused': 'warn',
  rateLimited: 'warn',
};

/**
 * One structured line per security event, `{ audit: '<event>', ... }` on a
 * child logger `component: 'audit'`, so that a log pipeline can route them
 * apart. Events carry no token, code, cookie or full session id, so neither
 * do these lines. A refresh refusal appears as `session.ended` with its code.
 */
export function auditLog(log: FastifyBaseLogger): EventSink {
  const audit = log.child({ component: 'audit' });
  return (event) => {
    const level = AUDITED[event.type];
    if (!level) return;
    const { type, ...fields } = event;
    const line = 'user' in fields ? { ...fields, user: undefined, sub: fields.user.sub } : fields;
    audit[level]({ audit: type, ...line }, type);
  };
}
