/**
 * The add-note draft is kept in sessionStorage so it survives signing in
 * again (a full-page round trip through the IdP). Plain app data, never a token.
 */
export const NOTE_DRAFT_KEY = 'bff-demo:note-draft';

type DraftStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** sessionStorage, or nothing where it is blocked (privacy modes, sandboxed frames). */
export function draftStorage(): DraftStorage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

export function readDraft(storage: DraftStorage | undefined): string {
  try {
    return storage?.getItem(NOTE_DRAFT_KEY) ?? '';
  } catch {
    return '';
  }
}

export function writeDraft(storage: DraftStorage | undefined, text: string): void {
  try {
    if (text === '') storage?.removeItem(NOTE_DRAFT_KEY);
    else storage?.setItem(NOTE_DRAFT_KEY, text);
  } catch {
    // quota or blocked storage: the draft just won't survive a reload
  }
}
