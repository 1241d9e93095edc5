import type { BrowserContext, ConsoleMessage, Page, Response } from '@playwright/test';

/**
 * Console lines that are the browser reporting an HTTP status the app asked
 * for and handles (a 401 that opens the re-login prompt, a 503 while the IdP
 * is away), not an error of the app.
 */
export const EXPECTED_CONSOLE_ERRORS: readonly RegExp[] = [
  /^Failed to load resource: the server responded with a status of (401|403|404|409|502|503|504)\b/,
];

/** Access and ID tokens are JWTs: three base64url parts, the first two JSON objects. */
const JWT = /eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{10,}/;
/** The field names a token travels under in an OAuth answer or a careless app's JSON. */
const TOKEN_FIELDS = /"(access_token|refresh_token|id_token|accessToken|refreshToken|idToken)"\s*:/;

/** Whether `text` carries a token, by the two signs above. */
export function carriesToken(text: string): boolean {
  return JWT.test(text) || TOKEN_FIELDS.test(text);
}

export interface ConsoleWatchOptions {
  /** Console errors that fail nothing; default EXPECTED_CONSOLE_ERRORS. */
  expected?: readonly RegExp[];
  /** The app's origin: the bodies of its fetch and XHR answers are checked for tokens. Unset: only the console is. */
  appOrigin?: string | undefined;
}

export interface ConsoleWatch {
  /** Console errors, uncaught exceptions and token leaks seen so far, expected console errors left out. */
  readonly errors: readonly string[];
  /** Waits for the answer bodies still being read. */
  settled(): Promise<void>;
}

/** What one watch collects, and the listeners that collect it. */
function collector(options: ConsoleWatchOptions) {
  const expected = options.expected ?? EXPECTED_CONSOLE_ERRORS;
  const errors: string[] = [];
  const reading: Promise<void>[] = [];
  const onConsole = (message: ConsoleMessage) => {
    const text = message.text();
    // the token itself is never repeated into the test report
    if (carriesToken(text)) errors.push(`token leak: a console ${message.type()} message carries a token`);
    else if (message.type() === 'error' && !expected.some((pattern) => pattern.test(text))) errors.push(text);
  };
  const onResponse = (response: Response) => {
    const type = response.request().resourceType();
    if ((type !== 'fetch' && type !== 'xhr') || new URL(response.url()).origin !== options.appOrigin) return;
    const path = new URL(response.url()).pathname;
    const read = response.text().then(
      (body) => void (carriesToken(body) && errors.push(`token leak: the answer to ${path} carries a token`)),
      () => {}, // the page navigated away before its body could be read
    );
    reading.push(read);
  };
  const watch: ConsoleWatch = { errors, settled: async () => void (await Promise.all(reading)) };
  return { watch, onConsole, onResponse, uncaught: (message: string) => void errors.push(`uncaught: ${message}`) };
}

/** Collects the console errors, uncaught exceptions and token leaks of every page of `context`, from now on. */
export function watchConsole(context: BrowserContext, options: ConsoleWatchOptions = {}): ConsoleWatch {
  const { watch, onConsole, onResponse, uncaught } = collector(options);
  context.on('console', onConsole);
  if (options.appOrigin !== undefined) context.on('response', onResponse);
  context.on('weberror', (webError) => uncaught(webError.error().message));
  return watch;
}

/** The same for one page only: for a page opened in a context that outlives the test. */
export function watchPage(page: Page, options: ConsoleWatchOptions = {}): ConsoleWatch {
  const { watch, onConsole, onResponse, uncaught } = collector(options);
  page.on('console', onConsole);
  if (options.appOrigin !== undefined) page.on('response', onResponse);
  page.on('pageerror', (error) => uncaught(error.message));
  return watch;
}
