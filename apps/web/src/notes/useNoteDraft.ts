import { useState } from 'react';
import { draftStorage, readDraft, writeDraft } from './noteDraft';

/** The add-note draft and its setter; every change is saved for after a re-login. */
export function useNoteDraft(): [string, (text: string) => void] {
  const [draft, setDraft] = useState(() => readDraft(draftStorage()));
  const update = (text: string) => {
    setDraft(text);
    writeDraft(draftStorage(), text);
  };
  return [draft, update];
}
