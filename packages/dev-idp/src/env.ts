import { DEFAULT_PROFILE, PROFILE_NAMES, isProfileName } from './profiles.js';
import { isBffAuthPath, type IdpOptions } from './startIdp.js';

/** A configuration error naming every bad variable at once. */
export class EnvError extends Error {
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(`invalid dev IdP configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'EnvError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/**
 * The dev IdP's environment. `PORT` is deliberately not read: it belongs to the BFF.
 * Empty values count as unset.
 */
export function idpOptionsFromEnv(env: Env): IdpOptions {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (name: string, { min, max }: { min: number; max: number }, rule: string): number | undefined => {
    const value = read(name);
    if (value === undefined) return undefined;
    const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      problems.push(`${name} must be ${rule}, got "${value}"`);
      return undefined;
    }
    return parsed;
  };
  const url = (name: string, value: string): string => {
    const parsed = URL.parse(value);
    if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      problems.push(`${name} must be an http(s) URL, got "${value}"`);
    }
    return value;
  };

  const port = integer('IDP_PORT', { min: 0, max: 65_535 }, 'a port number (0-65535)') ?? 4000;
  const profileValue = read('IDP_PROFILE') ?? DEFAULT_PROFILE;
  const profile = isProfileName(profileValue) ? profileValue : undefined;
  if (profile === undefined) problems.push(`IDP_PROFILE must be one of ${PROFILE_NAMES.join(', ')}, got "${profileValue}"`);
  const accessTokenTtl = integer('IDP_ACCESS_TOKEN_TTL', { min: 1, max: Number.MAX_SAFE_INTEGER }, 'a positive integer (seconds)');
  const refreshTokenTtl = integer('IDP_REFRESH_TOKEN_TTL', { min: 1, max: Number.MAX_SAFE_INTEGER }, 'a positive integer (seconds)');
  const issuerValue = read('IDP_ISSUER');
  const issuer = issuerValue !== undefined ? url('IDP_ISSUER', issuerValue) : port === 0 ? undefined : `http://localhost:${port}`;
  // several public URLs may be listed, comma-separated; the first receives back-channel logout
  const bffPublicUrl = (read('BFF_PUBLIC_URL') ?? 'http://localhost:3000')
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean)
    .map((value) => url('BFF_PUBLIC_URL', value));
  const bffAuthPath = read('IDP_BFF_AUTH_PATH');
  if (bffAuthPath !== undefined && !isBffAuthPath(bffAuthPath)) {
    problems.push(`IDP_BFF_AUTH_PATH must be a path such as /auth or /bff/auth, got "${bffAuthPath}"`);
  }
  // comma-separated: several APIs, each with tokens of its own; the first is the default audience
  const apiAudiences = (read('API_AUDIENCE') ?? read('API_UPSTREAM') ?? 'http://localhost:4001')
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean)
    .map((value) => url('API_AUDIENCE', value));
  const apiAudience = apiAudiences.length === 1 ? apiAudiences[0]! : apiAudiences;

  if (problems.length > 0) throw new EnvError(problems);
  return {
    port,
    host: read('IDP_HOST') ?? '127.0.0.1',
    ...(issuer === undefined ? {} : { issuer }),
    profile: profile ?? DEFAULT_PROFILE,
    ...(accessTokenTtl === undefined ? {} : { accessTokenTtl }),
    ...(refreshTokenTtl === undefined ? {} : { refreshTokenTtl }),
    bffPublicUrl,
    ...(bffAuthPath === undefined ? {} : { bffAuthPath }),
    clientId: read('OIDC_CLIENT_ID') ?? 'bff-demo',
    clientSecret: read('OIDC_CLIENT_SECRET') ?? 'bff-demo-secret',
    apiAudience,
  };
}
