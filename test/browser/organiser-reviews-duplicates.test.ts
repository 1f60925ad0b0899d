/**
 * The organiser's duplicate review in a real browser: sign in by the mailed link (a POST button), open the review
 * of a cross-script pair, see both side by side with the score, merge; the public count drops by one and the
 * earlier signatory is listed with both names.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium, startServer, waitForMail, linkIn, signAndConfirmViaApi, screenshot, type LiveServer } from '../support/browser.ts';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { faEnLetter } from '../support/app.ts';

let server: LiveServer;
let browser: Browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
  await createLetter(server.app.deps, faEnLetter('review-me', { organisers: ['org@example.org'] }), { publish: true });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('an organiser merges a cross-script duplicate in the browser', { timeout: 60_000 }, async () => {
  await signAndConfirmViaApi(server, 'review-me', { name: 'محمدرضا شریفی', email: 'mr@example.org', lang: 'fa' });
  await signAndConfirmViaApi(server, 'review-me', { name: 'Mohammad Sharifi', email: 'ms@example.org', lang: 'en' });
  await signAndConfirmViaApi(server, 'review-me', { name: 'Mohammadreza Sharifi', email: 'mr2@example.org', lang: 'en' });

  const ctx = await browser.newContext({ locale: 'fa-IR' });
  const page = await ctx.newPage();
  await page.goto(`${server.baseUrl}/fa/organise`);
  await page.fill('#email', 'org@example.org');
  await page.click('button[type=submit]');
  await page.waitForSelector('text=پیوندی در راه است');
  const mail = await waitForMail(server.outboxDir, 'org@example.org', 'login');
  await page.goto(linkIn(mail));
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.baseUrl}/fa/organise`);
  await page.click('a[href="/fa/organise/letters/review-me/reviews"]');
  await page.waitForSelector('article.review');
  assert.equal(await page.locator('article.review').count(), 1, 'Mohammad Sharifi ≠ Mohammadreza Sharifi: only the cross-script pair');
  const names = await page.locator('article.review .person .name bdi').allTextContents();
  assert.deepEqual(names.sort(), ['Mohammadreza Sharifi', 'محمدرضا شریفی'].sort());
  // Browser globals are not in the project's type library; the callback runs in the page.
  assert.equal(await page.locator('article.review').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { direction: string } }).getComputedStyle(el).direction), 'rtl');
  await screenshot(page, 'fa-organiser-review');
  await page.click('article.review button.primary');
  await page.waitForSelector('text=ادغام شد');

  const letter = await (await fetch(`${server.baseUrl}/api/v1/letters/review-me`)).json() as { count: number };
  assert.equal(letter.count, 2);
  const list = await (await fetch(`${server.baseUrl}/api/v1/letters/review-me/signatures?lang=fa`)).json() as { items: { name: string; nameAlt: string | null }[] };
  assert.deepEqual(list.items.map((s) => [s.name, s.nameAlt]).sort(), [['Mohammad Sharifi', null], ['محمدرضا شریفی', 'Mohammadreza Sharifi']].sort());
  await ctx.close();
});
