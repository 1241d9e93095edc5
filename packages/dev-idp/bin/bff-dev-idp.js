#!/usr/bin/env node
// The dev IdP configured from the environment (IDP_PORT, IDP_PROFILE, IDP_ACCESS_TOKEN_TTL,
// IDP_REFRESH_TOKEN_TTL, BFF_PUBLIC_URL, ...: see README.md). Plain node runs the compiled
// dist/main.js (in this repository, after `pnpm build`); `node --conditions=source --import tsx`
// runs src/main.ts instead.
import '@bff/dev-idp/main';
