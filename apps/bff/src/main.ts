import { fileURLToPath } from 'node:url';
import { ConfigError, configFromEnv } from '@bff/fastify-bff';
import { buildServer } from '@bff/server';

/** Where `pnpm --filter @bff/web build` leaves the SPA. */
const WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** `pnpm start:bff`: the BFF alone, configured from env, for your own IdP and API. */
async function main(): Promise<void> {
  let config;
  try {
    config = configFromEnv(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const app = await buildServer({ config, webRoot: WEB_ROOT });
  await app.listen({ port: config.port, host: config.host });
  app.log.info(
    `BFF listening on ${config.bff.publicUrl} (issuer ${config.bff.issuer}, upstream ${config.bff.apis ? config.bff.apis.map((api) => `${api.prefix} -> ${api.upstream}`).join(', ') : config.bff.apiUpstream}, store ${String(config.bff.sessionStore)})`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void app.close().then(() => process.exit(0)));
  }
}

await main();
