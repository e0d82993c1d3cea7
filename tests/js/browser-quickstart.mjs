// Drives the quickstart in headless Chromium as a person would:
// protected page -> sign-in page -> wrong password (error shown) -> sign in -> greeting ->
// reload (session kept) -> sign out -> signed out.
//
// usage: node browser-quickstart.mjs <base url> <screenshot dir>
// Prints one line per step; exits non-zero with the failing step on stderr.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { done, expect, launch } from './chromium.mjs';

const [baseUrl, outDir] = process.argv.slice(2);
if (!baseUrl || !outDir) {
  console.error('usage: node browser-quickstart.mjs <base url> <screenshot dir>');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

// The quickstart's demo user (printed by the quickstart at start-up).
const USERNAME = 'demo';
const PASSWORD = 'demo';

const { context, userDataDir } = await launch();

let step = 'start';

try {
  const page = context.pages()[0] ?? (await context.newPage());
  // Only our own server: any request elsewhere fails the test.
  const origin = new URL(baseUrl).origin;
  const foreign = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url());
  });

  step = 'public page';
  await page.goto(`${baseUrl}/`);
  expect((await page.locator('h1').innerText()).length > 0, 'public page has no heading');
  done(step);

  step = 'protected page redirects to sign-in';
  await page.goto(`${baseUrl}/dashboard`);
  let url = new URL(page.url());
  expect(url.pathname === '/api/auth/signin', `expected the sign-in page, got ${page.url()}`);
  expect(
    (url.searchParams.get('callbackUrl') ?? '').endsWith('/dashboard'),
    `callbackUrl should point back to /dashboard: ${page.url()}`,
  );
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.screenshot({ path: join(outDir, 'signin.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(outDir, 'signin-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  done(step);

  step = 'wrong password shows the error';
  await page.getByLabel('Username').fill(USERNAME);
  await page.getByLabel('Password').fill('not-the-password');
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: /^Sign in with/ }).click()]);
  url = new URL(page.url());
  expect(url.searchParams.get('error') === 'CredentialsSignin', `expected ?error=CredentialsSignin, got ${page.url()}`);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const alertText = await alert.innerText();
  expect(
    alertText.includes('Sign in failed. Check the details you provided are correct.'),
    `unexpected error text: ${alertText}`,
  );
  await page.screenshot({ path: join(outDir, 'signin-error.png'), fullPage: true });
  done(step);

  step = 'sign in';
  await page.getByLabel('Username').fill(USERNAME);
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/dashboard'),
    page.getByRole('button', { name: /^Sign in with/ }).click(),
  ]);
  const greeting = page.getByRole('heading', { level: 1 });
  const greetingText = await greeting.innerText();
  expect(greetingText.includes('Demo User'), `expected a greeting for Demo User, got: ${greetingText}`);
  const cookies = await context.cookies(origin);
  const session = cookies.find((c) => c.name === 'authjs.session-token');
  expect(session && session.httpOnly && session.sameSite === 'Lax', `session cookie missing or not HttpOnly/Lax: ${JSON.stringify(cookies.map((c) => c.name))}`);
  await page.screenshot({ path: join(outDir, 'greeting.png'), fullPage: true });
  done(`${step}: "${greetingText}"`);

  step = 'reload keeps the session';
  await page.reload();
  expect(new URL(page.url()).pathname === '/dashboard', `reload left the page: ${page.url()}`);
  expect((await page.getByRole('heading', { level: 1 }).innerText()) === greetingText, 'greeting changed after reload');
  done(step);

  step = 'sign out';
  await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Sign out' }).click()]);
  expect(new URL(page.url()).pathname === '/api/auth/signout', `expected the sign-out page, got ${page.url()}`);
  await page.getByText('Are you sure you want to sign out?').waitFor();
  await page.screenshot({ path: join(outDir, 'signout.png'), fullPage: true });
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign out' }).click()]);
  expect(!(await context.cookies(origin)).some((c) => c.name === 'authjs.session-token'), 'session cookie still set after sign-out');
  done(step);

  step = 'signed out';
  // Through the browser context's cookies, not a script in the page: the page may be one
  // of the built-in pages, whose CSP (default-src 'none') refuses a fetch from it.
  const sessionJson = await (await context.request.get(`${baseUrl}/api/auth/session`)).json();
  expect(sessionJson === null, `GET /api/auth/session should be null, got ${JSON.stringify(sessionJson)}`);
  await page.goto(`${baseUrl}/dashboard`);
  expect(new URL(page.url()).pathname === '/api/auth/signin', `protected page reachable after sign-out: ${page.url()}`);
  expect(foreign.length === 0, `requests left the server: ${foreign.join(', ')}`);
  done(step);
} catch (error) {
  console.error(`FAILED at step "${step}": ${error.message}`);
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
