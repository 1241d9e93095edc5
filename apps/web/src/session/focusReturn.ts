/**
 * Where focus was before a dialog opened, and putting it back. The re-login
 * dialog opens in the same render that takes the person's data off the
 * page, so by the time it could read `document.activeElement` the focused
 * field is gone: focus is followed from the start instead.
 */
let lastFocused: Element | null = null;

/** Follows focus outside dialogs from now on; returns the function that stops. */
export function followFocus(doc: Document = document): () => void {
  const onFocusIn = (event: FocusEvent) => {
    if (event.target instanceof Element && event.target.closest('dialog') === null) lastFocused = event.target;
  };
  doc.addEventListener('focusin', onFocusIn);
  return () => doc.removeEventListener('focusin', onFocusIn);
}

/** The element focused last outside a dialog (it may have left the page since). */
export function focusedBeforeDialog(): Element | null {
  return lastFocused;
}

/**
 * Focus goes back to `previous`: the same element, or, when the page behind
 * was drawn anew (the session is back, its data loaded again), the element
 * that now has its id.
 */
export function returnFocus(previous: Element | null, doc: Document = document): void {
  if (previous === null) return;
  const target = previous.isConnected ? previous : previous.id ? doc.getElementById(previous.id) : null;
  if (target instanceof HTMLElement) target.focus();
}
