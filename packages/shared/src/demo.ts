/** Wire types of the demo API (packages/demo-api), as the SPA receives them through the BFF's /api proxy. */
export interface Me {
  sub: string;
  name?: string;
  email?: string;
}

export interface Note {
  id: string;
  text: string;
  /** ISO 8601 */
  createdAt: string;
}

export interface NewNote {
  text: string;
}

/** The longest note text the demo API accepts. */
export const NOTE_MAX_LENGTH = 500;
