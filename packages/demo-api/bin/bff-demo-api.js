#!/usr/bin/env node
// The demo API configured from the environment (API_PORT, API_HOST, OIDC_ISSUER, API_AUDIENCE,
// API_JWKS_URI, API_LOG: see src/main.ts). Plain node runs the compiled dist/main.js (in this
// repository, after `pnpm build`); `node --conditions=source --import tsx` runs src/main.ts instead.
import '@bff/demo-api/main';
