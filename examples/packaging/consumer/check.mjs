// Drives the adopter's server like a browser: sign in through the dev IdP's form, call the API, refresh, sign out.
import { Browser } from '@bff/fastify-bff/testing';

const base = process.env.BFF_PUBLIC_URL;
const browser = new Browser();
const steps = {};
steps.signIn = (await browser.signIn(base, 'alice', '/notes')).landedOn;
steps.session = (await browser.api(`${base}/auth/session`)).body.user?.sub;
steps.me = (await browser.api(`${base}/api/me`)).status;
steps.refresh = (await browser.api(`${base}/auth/refresh`, { method: 'POST' })).body.success;
steps.meAfterRefresh = (await browser.api(`${base}/api/me`)).status;
steps.logout = (await browser.api(`${base}/auth/logout`, { method: 'POST' })).status;
steps.after = (await browser.api(`${base}/auth/session`)).body.authenticated;
process.stdout.write(`${JSON.stringify(steps)}\n`);
