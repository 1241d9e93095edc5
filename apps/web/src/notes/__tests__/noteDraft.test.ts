import { describe, expect, it } from 'vitest';
import { NOTE_DRAFT_KEY, readDraft, writeDraft } from '../noteDraft';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe('the note draft', () => {
  it('is kept under a plain app key and read back', () => {
    const storage = memoryStorage();
    writeDraft(storage, 'buy milk');
    expect(storage.items.get('bff-demo:note-draft')).toBe('buy milk');
    expect(NOTE_DRAFT_KEY).toBe('bff-demo:note-draft');
    expect(readDraft(storage)).toBe('buy milk');
  });

  it('is removed when emptied', () => {
    const storage = memoryStorage();
    writeDraft(storage, 'x');
    writeDraft(storage, '');
    expect(storage.items.has(NOTE_DRAFT_KEY)).toBe(false);
    expect(readDraft(storage)).toBe('');
  });

  it('survives storage that throws or is missing', () => {
    const broken = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    expect(readDraft(broken)).toBe('');
    expect(() => writeDraft(broken, 'x')).not.toThrow();
    expect(readDraft(undefined)).toBe('');
  });
});
