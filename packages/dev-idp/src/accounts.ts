import type { Account, FindAccount } from 'oidc-provider';

/** The demo users; their passwords are printed on the login page on purpose (dev only). */
export interface DemoUser {
  /** the login name, and the subject of every profile whose subjects are usernames */
  sub: string;
  password: string;
  name: string;
  email: string;
  email_verified: boolean;
  /** the subject where a profile's subjects are DIDs (seed-000): `did:plc:` + 24 base32 characters, fixed per user */
  did: string;
  /** the `handle` claim beside a DID subject (AT Protocol's `alice.bsky.social`) */
  handle: string;
}

/** How a profile names its subjects: `username` (`alice`) or `did` (`did:plc:...`, with a `handle` claim). */
export type SubjectKind = 'username' | 'did';

// the DIDs are base32 of SHA-256("bff-dev-idp:<name>"), cut to 24 characters like did:plc's; written out so docs and tests can name them
export const USERS: readonly DemoUser[] = Object.freeze([
  {
    sub: 'alice',
    password: 'alice-password',
    name: 'Alice Liddell',
    email: 'alice@example.com',
    email_verified: true,
    did: 'did:plc:7qgpvktchdbbobczscggynfs',
    handle: 'alice.test',
  },
  {
    sub: 'bob',
    password: 'bob-password',
    name: 'Bob Builder',
    email: 'bob@example.com',
    email_verified: true,
    did: 'did:plc:b3xlmaorc6th5r23kmwh2his',
    handle: 'bob.test',
  },
]);

/** The user by login name or DID. */
export function findUser(subOrDid: string): DemoUser | undefined {
  return USERS.find((user) => user.sub === subOrDid || user.did === subOrDid);
}

/** Every account id a user may have (a username or a DID names the same person). */
export function accountIdsOf(subOrDid: string): string[] {
  const user = findUser(subOrDid);
  return user === undefined ? [subOrDid] : [user.sub, user.did];
}

/** Returns the account id (the subject) when the credentials match, otherwise undefined. */
export function authenticate(username: string, password: string, subjects: SubjectKind): string | undefined {
  const user = USERS.find((candidate) => candidate.sub === username.trim());
  if (user === undefined || user.password !== password) return undefined;
  return subjects === 'did' ? user.did : user.sub;
}

export const findAccount: FindAccount = (_ctx, accountId) => {
  const user = findUser(accountId);
  if (user === undefined) return undefined;
  const handle = accountId === user.did ? { handle: user.handle } : {};
  const account: Account = {
    accountId,
    // oidc-provider filters these by the granted scopes and claims
    claims: () => ({ sub: accountId, name: user.name, email: user.email, email_verified: user.email_verified, ...handle }),
  };
  return account;
};
