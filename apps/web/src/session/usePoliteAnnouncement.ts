import { useState } from 'react';
import { nextAnnouncement, SILENT } from './politeAnnouncement';

/** The text for a polite live region that should say `wanted`: it changes at most once a minute. */
export function usePoliteAnnouncement(wanted: string, now: number): string {
  const [announced, setAnnounced] = useState(SILENT);
  // adjusted while rendering (React's pattern for state that follows props): the same object when nothing changes
  const next = nextAnnouncement(announced, wanted, now);
  if (next !== announced) setAnnounced(next);
  return next.text;
}
