// Debian's Chromium where it exists (Playwright cannot download browsers here), else Playwright's own; the app's URL comes from the test.
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const debianChromium = '/usr/bin/chromium';

export default defineConfig({
  testDir: '.',
  workers: 1,
  reporter: 'line',
  use: {
    baseURL: process.env.APP_URL,
    launchOptions: {
      ...(existsSync(debianChromium) ? { executablePath: debianChromium } : {}),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
});
