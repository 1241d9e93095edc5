import { EnvError, idpOptionsFromEnv } from './env.js';
import { startIdp, type IdpOptions } from './startIdp.js';

/** The dev IdP configured from the environment: the `bff-dev-idp` bin, or `pnpm --filter @bff/dev-idp start`. */
async function main(): Promise<void> {
  let options: IdpOptions;
  try {
    options = idpOptionsFromEnv(process.env);
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  const idp = await startIdp({ ...options, logger: (line) => console.error(`[idp] ${line}`) });
  const { name, accessTokenTtl, refreshTokenTtl } = idp.profile;
  // lifetimes and the issuer URL only: no token or secret is printed here
  process.stdout.write(
    `dev IdP (${name}: access tokens ${accessTokenTtl}s, refresh tokens ${refreshTokenTtl}s) listening on ${idp.issuer}\n`,
  );

  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    idp.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
