/** Where the app reaches the BFF: its auth routes and its API proxy, same origin. */
export interface BffPathsConfig {
  /** The BFF's auth routes (`/auth/login`, `/auth/session`...); default `/auth`. */
  authPath?: string;
  /** The BFF's API proxy; default `/api`. */
  apiPath?: string;
}

/** The BFF routes a browser calls, under the configured paths. */
export interface BffPaths {
  auth: string;
  api: string;
  login: string;
  session: string;
  refresh: string;
  logout: string;
}

/** `/auth/` and `auth` mean `/auth`: one leading slash, none trailing. */
function normalise(path: string, option: string): string {
  const trimmed = `/${path.replace(/^\/+|\/+$/g, '')}`;
  // a path is the start of a same-origin URL: an origin or a query would send the session's calls elsewhere
  if (/[?#\\]|^\/\//.test(path) || /^[a-z][a-z\d+.-]*:/i.test(path)) {
    throw new TypeError(`${option} must be a path on this origin such as '/auth', got ${JSON.stringify(path)}`);
  }
  return trimmed === '/' ? '' : trimmed;
}

/** The BFF's routes under `authPath` and `apiPath` (defaults `/auth` and `/api`, as the BFF's own). */
export function bffPaths({ authPath = '/auth', apiPath = '/api' }: BffPathsConfig = {}): BffPaths {
  const auth = normalise(authPath, 'authPath');
  return {
    auth,
    api: normalise(apiPath, 'apiPath'),
    login: `${auth}/login`,
    session: `${auth}/session`,
    refresh: `${auth}/refresh`,
    logout: `${auth}/logout`,
  };
}

export const DEFAULT_BFF_PATHS: BffPaths = bffPaths();
