/** CSS selectors (or any Playwright selector) for the IdP's login form and the app's signed-in state. */
export interface BffSelectors {
  /** The IdP login page's username field. */
  username: string;
  /** Its password field. */
  password: string;
  /** Its submit button. */
  submit: string;
  /** Something the app shows only while signed in, such as the user's name in the header. */
  signedIn: string;
}

/** The dev IdP's login form (@bff/dev-idp) and the demo SPA's signed-in marker. */
export const DEV_IDP_SELECTORS: BffSelectors = {
  username: '#username',
  password: '#password',
  submit: 'button[type="submit"]',
  signedIn: '[data-testid="signed-in-user"]',
};

/** The dev IdP's demo users: name and password. */
export const DEV_IDP_USERS: Readonly<Record<string, string>> = { alice: 'alice-password', bob: 'bob-password' };

/** The dev IdP's login page: oidc-provider's interaction URL. */
export const DEV_IDP_LOGIN_PAGE = '**/interaction/**';

/** What the fixtures need to know about the app, its BFF and its IdP, defaults applied. */
export interface BffSetup {
  /** The app's base URL; the BFF's routes are on the same origin. */
  appURL: string;
  /** Where the BFF's auth routes are (`/auth`). */
  authPath: string;
  /** The IdP's login page: a glob (`'**\/login-actions/**'`) or a RegExp of its URL. */
  idpLoginPage: string | RegExp;
  users: Readonly<Record<string, string>>;
  selectors: BffSelectors;
}

/** `authPath` with one leading slash and none trailing, and a route under it on the app's origin. */
export function bffRoute(setup: Pick<BffSetup, 'appURL' | 'authPath'>, route: string): string {
  const authPath = `/${setup.authPath.replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
  return new URL(`${authPath}${route}`, setup.appURL).href;
}

/** `user`'s password, or an error that names the users there are. */
export function passwordOf(setup: Pick<BffSetup, 'users'>, user: string): string {
  const password = setup.users[user];
  if (password === undefined) {
    throw new Error(`no password for user "${user}": the users option names ${Object.keys(setup.users).join(', ') || 'nobody'}`);
  }
  return password;
}
