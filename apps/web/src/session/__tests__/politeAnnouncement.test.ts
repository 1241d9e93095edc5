import { describe, expect, it } from 'vitest';
import { ANNOUNCE_INTERVAL_MS, nextAnnouncement, SILENT, type Announcement } from '../politeAnnouncement';

describe('the polite announcement', () => {
  it('speaks the first sentence at once', () => {
    expect(nextAnnouncement(SILENT, 'Your session ends within 2 minutes.', 1_000)).toEqual({
      text: 'Your session ends within 2 minutes.',
      at: 1_000,
    });
  });

  it('never changes to a new sentence less than a minute after the last, however often it is asked', () => {
    let current: Announcement = SILENT;
    const changes: number[] = [];
    // a wanted sentence that changes every second, for five minutes
    for (let now = 0; now < 5 * 60_000; now += 1_000) {
      const next = nextAnnouncement(current, `second ${now / 1_000}`, now);
      if (next.text !== current.text) changes.push(now);
      current = next;
    }
    expect(changes).toEqual([0, 60_000, 120_000, 180_000, 240_000]);
    for (let i = 1; i < changes.length; i += 1) expect(changes[i]! - changes[i - 1]!).toBeGreaterThanOrEqual(ANNOUNCE_INTERVAL_MS);
  });

  it('falls silent at once, and a sentence after the silence still waits for the minute', () => {
    const spoken = nextAnnouncement(SILENT, 'Your session ends within a minute.', 0);
    const silent = nextAnnouncement(spoken, '', 10_000);
    expect(silent.text).toBe('');
    expect(nextAnnouncement(silent, 'Your session ends within 2 minutes.', 30_000).text).toBe('');
    expect(nextAnnouncement(silent, 'Your session ends within 2 minutes.', 60_000).text).toBe('Your session ends within 2 minutes.');
  });

  it('keeps the same object when nothing changes, so React does not render again', () => {
    const spoken = nextAnnouncement(SILENT, 'x', 0);
    expect(nextAnnouncement(spoken, 'x', 5_000)).toBe(spoken);
  });
});
