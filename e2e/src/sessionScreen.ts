import type { Page } from '@playwright/test';
import type { SessionInfo } from '@bff/shared';

declare global {
  interface Window {
    __sessionScreen?: { dialogAt?: number; announced: string[] };
  }
}

export interface SessionScreenRecord {
  /** When the re-login dialog opened (epoch ms, the page's clock), if it did. */
  dialogAt: number | undefined;
  /** Every sentence the polite countdown region said, in order. */
  announced: string[];
}

/**
 * Records, from now on in the page, when the re-login dialog opens and what
 * the countdown's live region says: both are read back with `read()`.
 */
export async function recordSessionScreen(page: Page): Promise<{ read(): Promise<SessionScreenRecord> }> {
  await page.evaluate(() => {
    const record: { dialogAt?: number; announced: string[] } = { announced: [] };
    window.__sessionScreen = record;
    let last = '';
    const look = () => {
      if (record.dialogAt === undefined && document.querySelector('dialog[data-testid="relogin-dialog"][open]'))
        record.dialogAt = Date.now();
      const said = document.querySelector('[data-testid="session-announcer"]')?.textContent ?? '';
      if (said !== last && said !== '') record.announced.push(said);
      last = said;
    };
    look();
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  return {
    read: () =>
      page.evaluate(() => {
        const record = window.__sessionScreen!;
        return { dialogAt: record.dialogAt, announced: [...record.announced] };
      }),
  };
}

/** The session's end by the BFF (epoch ms) and which deadline it is; throws when the page's session has none. */
export async function sessionEnd(page: Page): Promise<{ at: number; by: string }> {
  const info = (await (await page.request.get('/auth/session')).json()) as SessionInfo;
  if (!info.authenticated) throw new Error(`no session: ${JSON.stringify(info)}`);
  return { at: Date.parse(info.sessionExpiresAt), by: info.sessionEndsBy };
}
