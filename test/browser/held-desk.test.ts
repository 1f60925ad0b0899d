/**
 * The organisers' held page in chromium (issue 15 item 8): signings per hour by source with held counts, the held
 * signatures with why, and releasing a whole source after its preview; in English and Persian, 1280 and 390 px;
 * a moderator's page, without each held signer's domain. Screenshots: artifacts/screenshots/15-held-*.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { addOrganiser } from '../../src/use-cases/manage-organisers.ts';
import { launchChromium, linkIn, screenshot, startServer, tokenIn, waitForMail, type LiveServer } from '../support/browser.ts';

let server: LiveServer;
let browser: Browser;

before(async () => {
  server = await startServer({ UNDERSIGNED_SCREENING: 'on' });
  browser = await launchChromium();
  await createLetter(server.app.deps, {
    slug: 'held-desk',
    addressee: { name: 'Ilir Meta' },
    defaultLang: 'fa',
    organisers: ['org@example.org'],
    versions: [
      { lang: 'fa', title: 'نامهٔ سرگشاده', body: 'متن نامه' },
      { lang: 'en', title: 'Open letter', body: 'The letter' },
    ],
  }, { publish: true });
  // Signings from a script: no proof of work, so each is held; one domain, a few countries.
  const people = [['رضا کریمی', 'reza@bots.example', 'IR'], ['Sara Bot', 'sara@bots.example', 'DE'], ['مینا بات', 'mina@bots.example', 'IR'], ['Zoe Script', 'zoe@mailinator.com', '']];
  for (const [name, email, country] of people) {
    const res = await fetch(`${server.baseUrl}/api/v1/letters/held-desk/signatures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, email, country, visibility: 'public', lang: 'fa' }) });
    assert.equal(res.status, 202);
    const link = linkIn(await waitForMail(server.outboxDir, email!));
    const conf = await fetch(`${server.baseUrl}/api/v1/confirmations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: tokenIn(link) }) });
    assert.equal(((await conf.json()) as { status: string }).status, 'held');
  }
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(page: Page, lang: string, nth: number, email = 'org@example.org') {
  await page.goto(`${server.baseUrl}/${lang}/organise`);
  await page.fill('#email', email);
  await page.click('button[type=submit]');
  const mail = await waitForMail(server.outboxDir, email, 'login', nth);
  await page.goto(linkIn(mail));
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.baseUrl}/${lang}/organise`);
}

test('the held page: sources, the held queue, release a whole source after a preview', { timeout: 120_000 }, async () => {
  let nth = 0;
  for (const lang of ['fa', 'en'] as const) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    if (lang === 'fa') {
      // The letter page says how many wait (before any is released).
      await page.setViewportSize({ width: 390, height: 700 });
      await page.goto(`${server.baseUrl}/${lang}/letters/held-desk`);
      assert.match(await page.locator('.tally .held').textContent() ?? '', /۴ امضای دیگر چشم‌به‌راه بررسی/);
      await screenshot(page, '15-letter-held-fa-390');
      await page.goto(`${server.baseUrl}/en/letters/held-desk`);
      assert.match(await page.locator('.tally .held').textContent() ?? '', /4 more signatures wait for a check/);
      await screenshot(page, '15-letter-held-en-390');
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await signIn(page, lang, ++nth);
    await page.goto(`${server.baseUrl}/${lang}/organise/letters/held-desk/held`);
    assert.equal(await page.locator('table.signatures tbody tr').count(), lang === 'fa' ? 4 : 2);
    await screenshot(page, `15-held-${lang}-1280`);
    await page.setViewportSize({ width: 390, height: 900 });
    await screenshot(page, `15-held-${lang}-390`);
    if (lang === 'fa') {
      // Release everything from bots.example's… no: from Iran (two held), after the preview.
      const row = page.locator('table.sources tbody tr', { hasText: 'ایران' });
      await row.locator('button:not(.danger)').click();
      assert.match(await page.locator('p.notice').first().textContent() ?? '', /۲ امضای نگه‌داشته/);
      await screenshot(page, '15-held-preview-fa-390');
      await page.click('button.primary');
      assert.match(await page.locator('p.notice').first().textContent() ?? '', /۲ امضا انجام شد/);
      const letter = await fetch(`${server.baseUrl}/api/v1/letters/held-desk`);
      assert.equal(((await letter.json()) as { count: number }).count, 2);
    }
    await ctx.close();
  }
});

test('a moderator\'s held page: the held signatures and the sources, no signer\'s domain', { timeout: 120_000 }, async () => {
  await addOrganiser(server.app.deps, 'held-desk', 'mod@example.org', 'moderator', undefined);
  let nth = 0;
  for (const lang of ['fa', 'en'] as const) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await signIn(page, lang, ++nth, 'mod@example.org');
    await page.goto(`${server.baseUrl}/${lang}/organise/letters/held-desk/held`);
    assert.equal(await page.locator('table.signatures tbody tr').count(), 2);
    assert.equal(await page.locator('table.signatures thead th').count(), 4, 'name, country, reasons, date: no domain column');
    assert.doesNotMatch(await page.locator('table.signatures').textContent() ?? '', /bots\.example|mailinator/);
    assert.match(await page.locator('table.sources').textContent() ?? '', /bots\.example/, 'the aggregate by domain stays');
    await screenshot(page, `15-held-moderator-${lang}-1280`);
    await page.setViewportSize({ width: 390, height: 900 });
    await screenshot(page, `15-held-moderator-${lang}-390`);
    await ctx.close();
  }
});
