/**
 * Maryam's receipt, checked in Debian's chromium: the receipt page waits for the log (refreshing by itself), then
 * the check page verifies the receipt client-side (the bundled log core + @noble; no CSP violation, right to left
 * in Persian) against the current checkpoint. After she withdraws, the same check reports the withdrawal.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { launchChromium, linkIn, screenshot, startServer, tokenIn, waitForMail, type LiveServer } from '../support/browser.ts';

let server: LiveServer;
let browser: Browser;

const letter = {
  slug: 'receipt-check',
  addressee: { name: 'Council' },
  defaultLang: 'fa',
  versions: [
    { lang: 'fa', title: 'نامه برای رسید', body: 'متن نامه.' },
    { lang: 'en', title: 'Letter for receipts', body: 'The text.' },
  ],
};

async function watched(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

describe('receipt check in a real browser', () => {
  let receiptUrl = '';
  before(async () => {
    server = await startServer();
    await createLetter(server.app.deps, letter, { publish: true });
    const res = await fetch(`${server.baseUrl}/api/v1/letters/receipt-check/signatures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'مریم رضایی', email: 'maryam@example.org', lang: 'fa', visibility: 'public' }),
    });
    assert.equal(res.status, 202);
    const mail = await waitForMail(server.outboxDir, 'maryam@example.org');
    const conf = await fetch(`${server.baseUrl}/api/v1/confirmations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: tokenIn(linkIn(mail)) }) });
    assert.equal(conf.status, 200);
    receiptUrl = ((await conf.json()) as { receipt: string }).receipt.replace('/en/', '/fa/');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the receipt page refreshes until sequenced; the browser check passes against the current checkpoint', async () => {
    const page = await browser.newPage();
    const errors = await watched(page);
    await page.goto(receiptUrl);
    // The sequencer runs every second; the page reloads itself every 3 seconds until the entry is in the log.
    await page.waitForSelector('a[href$="/verify"]', { timeout: 15_000 });
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    await screenshot(page, 'receipt-fa');
    await page.click('a[href$="/verify"]');
    await page.waitForSelector('#receipt-check[data-result]', { timeout: 15_000 });
    const result = await page.getAttribute('#receipt-check', 'data-result');
    const lines = await page.locator('#receipt-check .checks li').allTextContents();
    await screenshot(page, 'receipt-check-fa');
    assert.equal(result, 'ok', lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('مریم رضایی')), 'the name commitment was checked: ' + lines.join('\n'));
    assert.ok(lines.filter((l) => l.startsWith('✓')).length >= 6, lines.join('\n'));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('after withdrawing from the receipt page, the same check reports the withdrawal', async () => {
    const page = await browser.newPage();
    await page.goto(receiptUrl);
    await page.click('section.withdraw button[type=submit]');
    await page.waitForLoadState('load');
    assert.equal((await (await fetch(`${server.baseUrl}/api/v1/letters/receipt-check`)).json() as { count: number }).count, 0);
    // Wait for the withdrawal to be sequenced, then check again.
    for (let i = 0; i < 50; i++) {
      const st = await server.app.store.log.state();
      if (st && (await server.app.store.log.pendingCount()) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.goto(receiptUrl + '/verify');
    await page.waitForSelector('#receipt-check[data-result]', { timeout: 15_000 });
    const lines = await page.locator('#receipt-check .checks li.check-bad').allTextContents();
    assert.equal(await page.getAttribute('#receipt-check', 'data-result'), 'bad');
    assert.ok(lines.some((l) => l.includes('withdraw')), lines.join('\n'));
    await page.close();
  });
});
