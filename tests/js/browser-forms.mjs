// Drives a declared credentials form (`fields: { .. }` in `auth!`) in headless Chromium:
// the built-in page shows the declared fields with their labels and placeholder, the
// browser refuses to submit an empty required field, and the filled form signs in.
//
// usage: node browser-forms.mjs <base url> <screenshot dir>
// Prints one line per step; exits non-zero with the failing step on stderr.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { done, expect, launch } from './chromium.mjs';

const [baseUrl, outDir] = process.argv.slice(2);
if (!baseUrl || !outDir) {
  console.error('usage: node browser-forms.mjs <base url> <screenshot dir>');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const { context, userDataDir } = await launch();

let step = 'start';

try {
  const page = context.pages()[0] ?? (await context.newPage());

  step = 'the declared form';
  await page.goto(`${baseUrl}/api/auth/signin`);
  const email = page.locator('#input-email-for-password-provider');
  expect((await email.getAttribute('type')) === 'email', 'the e-mail input is not type=email');
  expect(
    (await email.getAttribute('placeholder')) === 'you@example.com',
    'the placeholder is missing',
  );
  expect(
    (await page.locator('label[for=input-email-for-password-provider]').innerText()) === 'E-mail',
    'the label is not the declared one',
  );
  expect((await page.locator('input[name=username]').count()) === 0, 'a username field is shown');
  expect((await page.locator('input[name=code]').count()) === 1, 'the second form is missing');
  await page.screenshot({ path: join(outDir, 'signin-form.png'), fullPage: true });
  done('the declared form');

  step = 'an empty required field is not submitted';
  const before = page.url();
  await page.click('#submit-password');
  await page.waitForTimeout(300);
  expect(page.url() === before, `the empty form was submitted: ${page.url()}`);
  expect(
    await email.evaluate((el) => el.validity.valueMissing),
    'the e-mail input is not marked missing',
  );
  done('an empty required field is not submitted');

  step = 'sign in with the declared form';
  await email.fill('ada@example.com');
  await page.fill('#input-password-for-password-provider', 'secret');
  await Promise.all([page.waitForNavigation(), page.click('#submit-password')]);
  await page.goto(`${baseUrl}/api/auth/session`);
  const session = JSON.parse(await page.locator('body').innerText());
  expect(session?.user?.email === 'ada@example.com', `no session: ${JSON.stringify(session)}`);
  done('sign in with the declared form');
} catch (e) {
  console.error(`failed at step "${step}": ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
