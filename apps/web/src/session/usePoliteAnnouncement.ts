import { useEffect, useState } from 'react';
import { nextAnnouncement, SILENT } from './politeAnnouncement';

/** The text for a polite live region that should say `wanted`: it changes at most once a minute. */
export function usePoliteAnnouncement(wanted: string, now: number): string {
  const [announced, setAnnounced] = useState(SILENT);
  useEffect(() => setAnnounced((current) => nextAnnouncement(current, wanted, now)), [wanted, now]);
  return announced.text;
}
