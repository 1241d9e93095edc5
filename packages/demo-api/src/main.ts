/**
 * The demo API configured from the environment (the `bff-demo-api` bin, or
 * `pnpm --filter @bff/demo-api start`): API_PORT (default 4001; PORT belongs to the BFF), API_HOST
 * (default 127.0.0.1), OIDC_ISSUER (default http://localhost:4000), API_AUDIENCE (default
 * http://localhost:${API_PORT}), API_JWKS_URI (default: discovered from the issuer),
 * API_LOG=true for request logs, API_DPOP_NONCE=1 to require its own nonce in DPoP proofs.
 */
import { startApi } from './index.js';

function readPort(value: string | undefined): number {
  if (value === undefined || value === '') return 4001;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    console.error(`API_PORT must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
    process.exit(1);
  }
  return port;
}

const env = process.env;
const port = readPort(env['API_PORT']);
const host = env['API_HOST'] || '127.0.0.1';
const api = await startApi({
  port,
  host,
  issuer: env['OIDC_ISSUER'] || 'http://localhost:4000',
  audience: env['API_AUDIENCE'] || `http://localhost:${port}`,
  jwksUri: env['API_JWKS_URI'] || undefined,
  logger: env['API_LOG'] === 'true',
  dpopNonce: env['API_DPOP_NONCE'] === '1' || env['API_DPOP_NONCE'] === 'true',
}).catch((error: unknown) => {
  console.error(`demo API could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

const loopback = ['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::'];
console.log(`demo API listening on ${loopback.includes(host) ? `http://localhost:${api.port}` : api.url}`);

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    api.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('demo API did not close cleanly', error);
        process.exit(1);
      },
    );
  });
}
