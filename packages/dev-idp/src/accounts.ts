import type { Account, FindAccount } from 'oidc-provider';

/** The demo users; their passwords are printed on the login page on purpose (dev only). */
export interface DemoUser {
  sub: string;
  password: string;
  name: string;
  email: string;
  email_verified: boolean;
}

export const USERS: readonly DemoUser[] = Object.freeze([
  { sub: 'alice', password: 'alice-password', name: 'Alice Liddell', email: 'alice@example.com', email_verified: true },
  { sub: 'bob', password: 'bob-password', name: 'Bob Builder', email: 'bob@example.com', email_verified: true },
]);

export function findUser(sub: string): DemoUser | undefined {
  return USERS.find((user) => user.sub === sub);
}

/** Returns the account id when the credentials match, otherwise undefined. */
export function authenticate(username: string, password: string): string | undefined {
  const user = findUser(username.trim());
  return user !== undefined && user.password === password ? user.sub : undefined;
}

export const findAccount: FindAccount = (_ctx, sub) => {
  const user = findUser(sub);
  if (user === undefined) return undefined;
  const account: Account = {
    accountId: user.sub,
    // oidc-provider filters these by the granted scopes and claims
    claims: () => ({ sub: user.sub, name: user.name, email: user.email, email_verified: user.email_verified }),
  };
  return account;
};
