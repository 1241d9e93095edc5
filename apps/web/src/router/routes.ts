/** The app's pages. Anything else renders "Not found". */
export const PAGES = {
  '/': 'Overview',
  '/notes': 'Notes',
} as const;

export type PagePath = keyof typeof PAGES;

export function matchPage(pathname: string): PagePath | undefined {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  return Object.hasOwn(PAGES, path) ? (path as PagePath) : undefined;
}
