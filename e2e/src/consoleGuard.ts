import type { BrowserContext, Page } from '@playwright/test';

/**
 * Console lines that are the browser reporting an HTTP status the app asked
 * for and handles (a 401 that opens the re-login prompt, a 503 while the IdP
 * is away), not an error of the app.
 */
export const EXPECTED_CONSOLE_ERRORS: readonly RegExp[] = [
  /^Failed to load resource: the server responded with a status of (401|403|404|409|502|503|504)\b/,
];

export function isExpectedConsoleError(text: string): boolean {
  return EXPECTED_CONSOLE_ERRORS.some((pattern) => pattern.test(text));
}

export interface ConsoleWatch {
  /** Console errors and uncaught exceptions seen so far, expected ones left out. */
  readonly errors: readonly string[];
}

/** Collects the console errors and uncaught exceptions of every page of `context`, from now on. */
export function watchConsole(context: BrowserContext): ConsoleWatch {
  const errors: string[] = [];
  context.on('console', (message) => {
    if (message.type() === 'error' && !isExpectedConsoleError(message.text())) errors.push(message.text());
  });
  context.on('weberror', (webError) => errors.push(`uncaught: ${webError.error().message}`));
  return { errors };
}

/** The same for one page only: for a page opened in a context that outlives the test. */
export function watchPage(page: Page): ConsoleWatch {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !isExpectedConsoleError(message.text())) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return { errors };
}
