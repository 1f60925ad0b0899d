/**
 * The organiser's desk in Debian chromium: an organiser finds a signer by a Persian name typed in Latin letters,
 * removes a group with a preview (the public count drops by the previewed number), exports the table (CSV with a
 * byte-order mark), confirms a state change, and reads the audit trail; fa and en, 1280 and 390 px wide.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startServer, waitForMail, linkIn, screenshot, signAndConfirmViaApi, type LiveServer } from '../support/browser.ts';
import { analyseImport, parseLetterText, toImportLetterInput } from '../../src/core/import/index.ts';
import { importLetter } from '../../src/use-cases/import-letter.ts';

let server: LiveServer;
let browser: Browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
  const parsed = parseLetterText(readFileSync('../shared/fixtures/seed-letter.txt', 'utf8'));
  await importLetter(server.app.deps, toImportLetterInput(parsed, analyseImport(parsed)), { slug: 'albania', organiser: 'org@example.org', publish: true });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(page: Page, lang: string, nth: number) {
  await page.goto(`${server.baseUrl}/${lang}/organise`);
  await page.fill('#email', 'org@example.org');
  await page.click('button[type=submit]');
  const mail = await waitForMail(server.outboxDir, 'org@example.org', 'login', nth);
  await page.goto(linkIn(mail));
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.baseUrl}/${lang}/organise`);
}

test('find a signer by a Persian name in Latin letters, remove a group with a preview, export', { timeout: 120_000 }, async () => {
  const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  await signIn(page, 'en', 1);
  assert.deepEqual(await page.locator('table.letters thead th').allTextContents(), ['Letter', 'State', 'Confirmed signatures', 'Actions']);
  assert.match(await page.locator('table.letters tbody th').first().textContent() ?? '', /Former MKO Members/);
  await screenshot(page, '12-en-dashboard-1280');

  await page.click('a[href="/en/organise/letters/albania/signatures"]');
  await page.waitForSelector('table.signatures');
  assert.equal(await page.locator('table.signatures tbody tr').count(), 46);
  await page.fill('#q', 'nasrolahi');
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/q=nasrolahi/);
  assert.deepEqual(await page.locator('table.signatures tbody bdi.name').allTextContents(), ['علیرضا نصر اللهی']);
  assert.deepEqual(await page.locator('table.signatures tbody bdi.alt').allTextContents(), ['Alireza Nasrollahi']);
  await screenshot(page, '12-en-signatures-search-1280');

  // export what the filter shows
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Export CSV with email addresses')]);
  const csv = readFileSync((await download.path())!);
  assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = csv.toString('utf8').slice(1).trimEnd().split('\r\n');
  assert.equal(lines.length, 2);
  assert.match(lines[1]!, /علیرضا نصر اللهی,Alireza Nasrollahi/);

  // a group: every name with "hasan" in either script
  await page.fill('#q', 'hasan');
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/q=hasan/);
  const shown = await page.locator('table.signatures tbody tr').count();
  assert.ok(shown >= 3, `found ${shown}`);
  await page.click('text=Remove these signatures…');
  await page.waitForSelector('text=would be removed');
  assert.match(await page.locator('p[role=status]').textContent() ?? '', new RegExp(`${shown} confirmed signatures would be removed`));
  assert.equal(await page.locator('table.signatures tbody tr').count(), Math.min(10, shown));
  await screenshot(page, '12-en-removal-preview-1280');
  await page.check('input[name=reason][value=fraud]');
  await page.click('button.danger');
  await page.waitForSelector(`text=${shown} signatures were removed (Fraud)`);
  await screenshot(page, '12-en-removal-done-1280');
  let count = 0;
  for (let i = 0; i < 40; i++) {
    count = ((await (await fetch(`${server.baseUrl}/api/v1/letters/albania`)).json()) as { count: number }).count;
    if (count === 46 - shown) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(count, 46 - shown);

  await page.goto(`${server.baseUrl}/en/organise/letters/albania/audit`);
  const actions = await page.locator('table.signatures tbody td:nth-child(3)').allTextContents();
  assert.deepEqual(actions.slice(0, 2), ['removed signatures', 'exported signatures']);
  await screenshot(page, '12-en-audit-1280');
  await ctx.close();
});

test('fa at 390 px: dashboard, table, a state change through its confirmation', { timeout: 120_000 }, async () => {
  const ctx = await browser.newContext({ locale: 'fa-IR', viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  await signIn(page, 'fa', 2);
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  assert.match(await page.locator('table.letters tbody th bdi').first().textContent() ?? '', /نامۀ 48 نفر/);
  await screenshot(page, '12-fa-dashboard-390');

  // a title stays self-described until checked here; then the public list marks it
  await signAndConfirmViaApi(server, 'albania', { name: 'ایلیر هوجا', email: 'ilir@example.org', lang: 'fa', title: 'استاد دانشگاه تیرانا' });
  await page.goto(`${server.baseUrl}/fa/organise/letters/albania/signatures?q=${encodeURIComponent('هوجا')}`);
  assert.match(await page.locator('table.signatures tbody').textContent() ?? '', /به گفتهٔ خود امضاکننده/);
  await page.click('table.signatures button.small');
  await page.waitForSelector('table.signatures .checked');
  await screenshot(page, '12-fa-title-checked-390');
  await page.goto(`${server.baseUrl}/fa/letters/albania`);
  await page.waitForSelector('ol.names .checked');
  await page.locator('ol.names .checked').first().scrollIntoViewIfNeeded();
  await page.goto(`${server.baseUrl}/fa/organise/letters/albania/signatures?state=removed`);
  assert.match(await page.locator('p[role=status]').textContent() ?? '', /امضا/);
  await screenshot(page, '12-fa-signatures-390');
  await page.goto(`${server.baseUrl}/fa/organise/letters/albania/signatures?q=Hasan`);
  await screenshot(page, '12-fa-signatures-search-390');

  await page.goto(`${server.baseUrl}/fa/organise`);
  await page.click('a[href="/fa/organise/letters/albania/state?to=closed"]');
  await page.waitForSelector('h1');
  assert.match(await page.locator('h1').textContent() ?? '', /بستن نامه/);
  await screenshot(page, '12-fa-close-confirm-390');
  assert.equal((await server.app.store.letters.bySlug('albania'))?.state, 'open', 'nothing changes before the confirmation');
  await page.click('button.primary');
  await page.waitForURL(`${server.baseUrl}/fa/organise`);
  assert.equal((await server.app.store.letters.bySlug('albania'))?.state, 'closed');
  await page.goto(`${server.baseUrl}/fa/organise/letters/albania/audit`);
  await screenshot(page, '12-fa-audit-390');
  await ctx.close();
});
