// What the browser tests share: Debian's Chromium, headless, in a fresh profile, with the
// flags this machine's closed network needs; and the two reporting helpers.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// A persistent context in a new empty profile directory (the caller removes `userDataDir`).
export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'auth-runtime-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 900, height: 720 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(15_000);
  return { context, userDataDir };
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

export function done(what) {
  console.log(`ok: ${what}`);
}
