// Signs in with a `form_post` provider (Apple's shape, a loopback fake on another site) in
// headless Chromium: the provider's page POSTs the callback cross-site, so the check
// cookies must be SameSite=None to come along; the session then holds the name Apple sends
// at the first sign-in.
//
// usage: node browser-form-post.mjs <base url>
// Prints one line per step; exits non-zero with the failing step on stderr.
import { rmSync } from 'node:fs';
import { done, expect, launch } from './chromium.mjs';

const [baseUrl] = process.argv.slice(2);
if (!baseUrl) {
  console.error('usage: node browser-form-post.mjs <base url>');
  process.exit(2);
}

const { context, userDataDir } = await launch();

let step = 'start';

try {
  const page = context.pages()[0] ?? (await context.newPage());

  step = 'sign in across sites with form_post';
  const after = `${baseUrl}/after`;
  await page.goto(`${baseUrl}/api/auth/signin?callbackUrl=${encodeURIComponent(after)}`);
  await Promise.all([page.waitForURL(after), page.click('#submit-apple')]);
  expect((await page.locator('body').innerText()) === 'after', 'not back at the page');
  await page.goto(`${baseUrl}/api/auth/session`);
  const session = JSON.parse(await page.locator('body').innerText());
  expect(session?.user?.name === 'Ada Lovelace', `no session: ${JSON.stringify(session)}`);
  done('sign in across sites with form_post');
} catch (e) {
  console.error(`failed at step "${step}": ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
