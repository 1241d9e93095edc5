import type { TokenCipher } from './crypto/tokenCipher.js';
import type { EventSink } from './observability/events.js';
import type { BffMetrics } from './observability/metrics.js';
import type { OidcClient } from './oidc/oidcClient.js';
import type { ResolvedBffOptions } from './options.js';
import type { Sessions } from './session/sessions.js';
import type { SessionStore } from './session/store.js';
import type { RefreshCoordinator } from './tokens/refreshCoordinator.js';
import type { TokenManager } from './tokens/tokenManager.js';

/** What the plugin decorates the Fastify instance with, as `app.bff`. */
export interface BffRuntime {
  options: ResolvedBffOptions;
  store: SessionStore;
  coordinator: RefreshCoordinator;
  sessions: Sessions;
  tokens: TokenManager;
  oidc: OidcClient;
  cipher: TokenCipher;
  /** Report an event (metrics, audit lines, hooks read them). */
  events: EventSink;
  /** The Prometheus registry's owner, when metrics are on: a host can merge `metrics.registry` into its own. */
  metrics: BffMetrics | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    bff: BffRuntime;
  }
}
