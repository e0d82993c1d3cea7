// Registers a passkey and signs in with it in headless Chromium, through its virtual
// authenticator (the DevTools `WebAuthn` domain: a platform authenticator with resident
// keys and user verification). The page's own script (the flow's PASSKEY_SCRIPT) runs the
// ceremonies; the test only clicks.
//
// The app accepts the user `ada` with the password `ada`.
//
// usage: node browser-passkeys.mjs <base url> <screenshot dir> <label>
// Prints one line per step; exits non-zero with the failing step on stderr.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { done, expect, launch } from './chromium.mjs';

const [baseUrl, outDir, label] = process.argv.slice(2);
if (!baseUrl || !outDir || !label) {
  console.error('usage: node browser-passkeys.mjs <base url> <screenshot dir> <label>');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const { context, userDataDir } = await launch();

let step = 'start';

async function session(page) {
  const res = await page.request.get(`${baseUrl}/api/auth/session`);
  return res.json();
}

try {
  const page = context.pages()[0] ?? (await context.newPage());
  const scriptErrors = [];
  page.on('pageerror', (e) => scriptErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') scriptErrors.push(m.text());
  });

  step = 'virtual authenticator';
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  done('virtual authenticator');

  step = 'sign in with the password';
  await page.goto(`${baseUrl}/api/auth/signin?callbackUrl=${encodeURIComponent('/account')}`);
  await page.fill('#input-username-for-credentials-provider', 'ada');
  await page.fill('#input-password-for-credentials-provider', 'ada');
  await Promise.all([page.waitForURL(`${baseUrl}/account`), page.click('#submit-credentials')]);
  expect((await session(page))?.user?.email === 'ada@example.com', 'not signed in');
  expect((await page.locator('li.passkey').count()) === 0, 'a passkey is listed already');
  done('sign in with the password');

  step = 'register a passkey';
  await Promise.all([
    page.waitForURL(`${baseUrl}/account?registered`),
    page.click('#register-passkey'),
  ]);
  expect((await page.locator('li.passkey').count()) === 1, 'the new passkey is not listed');
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials.length === 1, `the authenticator holds ${credentials.length} credentials`);
  expect(credentials[0].isResidentCredential, 'the passkey is not discoverable');
  await page.screenshot({ path: join(outDir, `passkey-${label}-account.png`), fullPage: true });
  done('register a passkey');

  step = 'sign out';
  await page.goto(`${baseUrl}/api/auth/signout`);
  await Promise.all([page.waitForNavigation(), page.click('#submitButton')]);
  expect((await session(page)) === null, 'still signed in');
  done('sign out');

  step = 'sign in with the passkey';
  await page.goto(`${baseUrl}/api/auth/signin?callbackUrl=${encodeURIComponent('/account')}`);
  const csp = (await page.request.get(`${baseUrl}/api/auth/signin`)).headers()['content-security-policy'];
  expect(/script-src 'sha256-[A-Za-z0-9+/=]+'/.test(csp), `no script hash in the CSP: ${csp}`);
  await page.screenshot({ path: join(outDir, `passkey-${label}-signin.png`), fullPage: true });
  await Promise.all([page.waitForURL(`${baseUrl}/account`), page.click('#submit-passkey')]);
  const s = await session(page);
  expect(s?.user?.email === 'ada@example.com', `no session: ${JSON.stringify(s)}`);
  expect((await page.locator('li.passkey').count()) === 1, 'the account page lists no passkey');
  const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(after.credentials[0].signCount >= 1, 'the authenticator was not used');
  done('sign in with the passkey');

  step = 'no script error';
  expect(scriptErrors.length === 0, `script errors: ${scriptErrors.join('; ')}`);
  done('no script error');
} catch (e) {
  console.error(`step "${step}" failed: ${e?.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
