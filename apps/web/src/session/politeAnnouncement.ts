/** A polite live region speaks a new sentence at most this often. */
export const ANNOUNCE_INTERVAL_MS = 60_000;

export interface Announcement {
  text: string;
  /** When `text` was last set to a sentence (ms); -Infinity before the first. */
  at: number;
}

export const SILENT: Announcement = Object.freeze({ text: '', at: Number.NEGATIVE_INFINITY });

/**
 * What the live region holds next, when `wanted` is what it should say at
 * `now`: a new sentence only once ANNOUNCE_INTERVAL_MS has passed since the
 * last one (until then the old one stays, unspoken again); silence at once,
 * since an empty region says nothing.
 */
export function nextAnnouncement(current: Announcement, wanted: string, now: number): Announcement {
  if (wanted === current.text) return current;
  if (wanted === '') return { text: '', at: current.at };
  if (now - current.at < ANNOUNCE_INTERVAL_MS) return current;
  return { text: wanted, at: now };
}
