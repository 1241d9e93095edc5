import pinoPretty from 'pino-pretty';
import { fileURLToPath } from 'node:url';
import { configFromEnv, ConfigError } from '@bff/fastify-bff';
import { PROFILES, startIdp, type ProfileName } from '@bff/dev-idp';
import { startApi } from '@bff/demo-api';
import { buildServer } from '@bff/server';

/** Where `pnpm --filter @bff/web build` (run by `pnpm start`) leaves the SPA. */
const WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * `pnpm start`: the dev IdP, the demo API and the BFF (serving the built SPA)
 * in one process with dev defaults. Every variable of DESIGN.md still works
 * (IDP_PROFILE, IDP_*_TTL, SESSION_*, PORT ...).
 */
async function demo(): Promise<void> {
  const env = process.env;
  const profileName = (env.IDP_PROFILE ?? 'seed-002') as ProfileName;
  const profile = PROFILES[profileName];
  if (!profile) fail(`IDP_PROFILE: must be one of ${Object.keys(PROFILES).join(', ')}`);
  const port = Number(env.PORT ?? 3000);
  const idpPort = Number(env.IDP_PORT ?? 4000);
  const apiPort = Number(env.API_PORT ?? 4001);
  const publicUrl = env.BFF_PUBLIC_URL ?? `http://localhost:${port}`;
  const issuer = env.OIDC_ISSUER ?? `http://localhost:${idpPort}`;
  const apiUrl = env.API_UPSTREAM ?? `http://localhost:${apiPort}`;
  const clientId = env.OIDC_CLIENT_ID ?? 'bff-demo';
  const clientSecret = env.OIDC_CLIENT_SECRET ?? 'bff-demo-secret';

  let config;
  try {
    config = configFromEnv({
      ...env,
      PORT: String(port),
      BFF_PUBLIC_URL: publicUrl,
      OIDC_ISSUER: issuer,
      API_UPSTREAM: apiUrl,
      OIDC_CLIENT_ID: clientId,
      OIDC_CLIENT_SECRET: clientSecret,
      // the dev IdP's profile decides how the BFF must talk to it, unless told otherwise
      OIDC_TOKEN_AUTH_METHOD: env.OIDC_TOKEN_AUTH_METHOD ?? profile.tokenEndpointAuthMethod,
      OIDC_TOKEN_REQUEST_ENCODING: env.OIDC_TOKEN_REQUEST_ENCODING ?? profile.tokenRequestEncoding,
      // a DPoP-only profile takes no token request without a proof
      ...(profile.dpop && env.OIDC_DPOP === undefined ? { OIDC_DPOP: '1' } : {}),
    });
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }

  const idp = await startIdp({
    port: idpPort,
    issuer,
    profile: profileName,
    accessTokenTtl: optionalSeconds('IDP_ACCESS_TOKEN_TTL'),
    refreshTokenTtl: optionalSeconds('IDP_REFRESH_TOKEN_TTL'),
    bffPublicUrl: publicUrl,
    clientId,
    clientSecret,
    apiAudience: apiUrl,
  });
  const api = await startApi({
    port: apiPort,
    issuer,
    audience: apiUrl,
    dpopNonce: env.API_DPOP_NONCE === '1' || env.API_DPOP_NONCE === 'true',
  });
  // a person reads these logs: pretty in a terminal (LOG_FORMAT=json keeps JSON), JSON when piped
  const pretty = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  const app = await buildServer({
    config,
    webRoot: WEB_ROOT,
    requestLogging: false,
    ...(pretty ? { logStream: pinoPretty({ colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' }) } : {}),
  });
  await app.listen({ port: config.port, host: config.host });

  const ttl = `access token ${idp.profile.accessTokenTtl}s, refresh token ${idp.profile.refreshTokenTtl}s`;
  process.stdout.write(
    [
      '',
      `  Refresh-token BFF demo is running: ${publicUrl}`,
      '',
      '  Sign in as alice / alice-password  or  bob / bob-password',
      `  dev IdP ${issuer} (${profileName}: ${ttl})`,
      `  demo API ${apiUrl}`,
      '',
      '',
    ].join('\n'),
  );

  const stop = async () => {
    await app.close();
    await api.close();
    await idp.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

function optionalSeconds(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) fail(`${name}: must be a positive whole number of seconds`);
  return value;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

await demo();
