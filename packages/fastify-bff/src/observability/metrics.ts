import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BffEvent, EventSink } from './events.js';

/**
 * Prometheus metrics of one BFF, from its events. A registry of its own (not
 * prom-client's global one), so several BFFs in one process do not collide.
 * Cardinality is bounded: labels are outcomes, codes, reasons, operations and
 * status classes, never sessions, users or paths.
 */
export class BffMetrics {
  readonly registry = new Registry();
  readonly #grants = new Counter({
    name: 'bff_refresh_grants_total',
    help: 'Refresh grants sent to the IdP, by outcome (ok, refused, unavailable, resourceRefused) and code',
    labelNames: ['outcome', 'code'],
    registers: [this.registry],
  });
  readonly #grantSeconds = new Histogram({
    name: 'bff_refresh_grant_duration_seconds',
    help: 'Time from sending a refresh grant to its answer',
    labelNames: ['outcome'],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly #joined = new Counter({
    name: 'bff_refresh_waiters_total',
    help: 'Callers that joined a refresh already in flight in this process (single flight)',
    registers: [this.registry],
  });
  readonly #lockWaitSeconds = new Histogram({
    name: 'bff_refresh_lock_wait_seconds',
    help: "Time a request waited on another request's or replica's refresh lock",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #outlived = new Counter({
    name: 'bff_refresh_grants_outlived_timeout_total',
    help: "Grants still running when their callers' timeout answered IDP_UNAVAILABLE",
    registers: [this.registry],
  });
  readonly #reuse = new Counter({
    name: 'bff_refresh_reuse_suspected_total',
    help: 'Refusals right after a rotation: what reuse of a stolen refresh token looks like',
    registers: [this.registry],
  });
  readonly #started = new Counter({ name: 'bff_sessions_started_total', help: 'Sessions started (sign-ins)', registers: [this.registry] });
  readonly #ended = new Counter({
    name: 'bff_sessions_ended_total',
    help: 'Sessions ended, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly #signInRefused = new Counter({
    name: 'bff_sign_ins_refused_total',
    help: 'Sign-ins refused by the onSignIn hook',
    registers: [this.registry],
  });
  readonly #backchannel = new Counter({
    name: 'bff_backchannel_logouts_total',
    help: 'Back-channel logout tokens accepted, by what they named',
    labelNames: ['by'],
    registers: [this.registry],
  });
  readonly #storeOps = new Histogram({
    name: 'bff_store_operation_duration_seconds',
    help: 'Session store and refresh coordinator calls, by operation and result',
    labelNames: ['op', 'result'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2],
    registers: [this.registry],
  });
  readonly #api = new Histogram({
    name: 'bff_api_request_duration_seconds',
    help: 'Proxied /api requests as the browser saw them (token work and upstream), by status class',
    labelNames: ['status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly #refusals = new Counter({
    name: 'bff_requests_refused_total',
    help: 'Requests refused before any work: CSRF and rate limits',
    labelNames: ['why'],
    registers: [this.registry],
  });

  constructor(options: { activeSessions?: () => number } = {}) {
    const { activeSessions } = options;
    if (activeSessions) {
      new Gauge({
        name: 'bff_active_sessions',
        help: 'Sessions held by this process (memory store only)',
        registers: [this.registry],
        collect() {
          this.set(activeSessions());
        },
      });
    }
  }

  /** The event sink that moves these metrics. */
  readonly sink: EventSink = (event: BffEvent) => {
    switch (event.type) {
      case 'refresh.grant':
        this.#grants.inc({ outcome: event.outcome, code: event.code ?? 'none' });
        this.#grantSeconds.observe({ outcome: event.outcome }, event.seconds);
        break;
      case 'refresh.joined':
        this.#joined.inc();
        break;
      case 'refresh.lockWait':
        this.#lockWaitSeconds.observe(event.seconds);
        break;
      case 'refresh.outlived':
        this.#outlived.inc();
        break;
      case 'refresh.reuseSuspected':
        this.#reuse.inc();
        break;
      case 'session.started':
        this.#started.inc();
        break;
      case 'session.ended':
        this.#ended.inc({ reason: event.reason });
        break;
      case 'signIn.refused':
        this.#signInRefused.inc();
        break;
      case 'backchannel.logout':
        this.#backchannel.inc({ by: event.by });
        break;
      case 'store.op':
        this.#storeOps.observe({ op: event.op, result: event.ok ? 'ok' : 'error' }, event.seconds);
        break;
      case 'api.response':
        this.#api.observe({ status: `${Math.floor(event.status / 100)}xx` }, event.seconds);
        break;
      case 'csrf.refused':
        this.#refusals.inc({ why: 'csrf' });
        break;
      case 'rateLimited':
        this.#refusals.inc({ why: 'rate_limit' });
        break;
    }
  };

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
