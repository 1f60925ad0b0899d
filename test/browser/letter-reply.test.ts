/**
 * The addressee's reply on the letter page in the real browser, in Persian and English at 1280 and 390 px: under the
 * letter, above the sign form, each text in its own language and direction (a Persian reply right to left on the
 * English page as well when it has no English); the owners' updates page and the unsubscribe page drawn too.
 * Screenshots: artifacts/screenshots/13-reply-*, 13-desk-updates-*, 13-unsubscribe-*.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { recordReply } from '../../src/use-cases/record-reply.ts';
import { sendUpdate } from '../../src/use-cases/send-update.ts';
import { faEnLetter } from '../support/app.ts';
import { launchChromium, SCREENSHOTS, signAndConfirmViaApi, startServer, waitForMail, type LiveServer } from '../support/browser.ts';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

// What the page functions below touch in the browser (the project compiles without the DOM library).
interface Box { top: number; bottom: number }
interface El { getBoundingClientRect(): Box }
declare const document: { querySelector(sel: string): El | null; documentElement: { scrollWidth: number } };
declare const window: { innerWidth: number };
declare function getComputedStyle(el: unknown): { direction: string };

describe('the reply on the letter page, in the browser', () => {
  let server: LiveServer;
  let browser: Browser;
  before(async () => {
    server = await startServer();
    browser = await launchChromium();
    await createLetter(server.app.deps, faEnLetter('albania', { organisers: ['owner@example.org'], goal: 2 }), { publish: true });
    await signAndConfirmViaApi(server, 'albania', { name: 'مریم رضاي\u200cزاده', email: 'maryam@example.org', lang: 'fa', consentUpdates: true } as { name: string; email: string; lang: string });
    await signAndConfirmViaApi(server, 'albania', { name: 'Zoe Adams', email: 'zoe@example.org', lang: 'en' });
    await recordReply(server.app.deps, 'albania', 'owner@example.org', {
      receivedOn: '2026-02-27',
      texts: {
        fa: 'از نامهٔ شما سپاسگزاریم.\n\nدفتر ریاست جمهوری درخواست‌تان را **بررسی می‌کند** و تا پایان ماه پاسخ می‌دهد.',
        en: 'Thank you for your letter.\n\nThe Office of the President is **considering** your request and will answer by the end of the month.',
      },
    }, new Uint8Array(Buffer.from('%PDF-1.4\n%%EOF\n')));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const lang of ['fa', 'en'] as const) {
    for (const width of [1280, 390]) {
      test(`${lang} at ${width} px: the reply under the letter, in its language and direction`, async () => {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        await page.goto(`${server.baseUrl}/${lang}/letters/albania`);
        const reply = page.locator('section.reply');
        await reply.waitFor();
        const text = page.locator('section.reply blockquote.reply-text');
        assert.equal(await text.getAttribute('lang'), lang);
        assert.equal(await text.evaluate((el) => getComputedStyle(el).direction), lang === 'fa' ? 'rtl' : 'ltr');
        const order = await page.evaluate(() => {
          const a = document.querySelector('article.letter')!.getBoundingClientRect().bottom;
          const r = document.querySelector('section.reply')!.getBoundingClientRect();
          const s = document.querySelector('#sign')!.getBoundingClientRect().top;
          return { a, top: r.top, bottom: r.bottom, s, overflow: document.documentElement.scrollWidth > window.innerWidth };
        });
        assert.ok(order.top >= order.a && order.bottom <= order.s, 'between the letter and the sign form');
        assert.equal(order.overflow, false, 'nothing wider than the screen');
        mkdirSync(SCREENSHOTS, { recursive: true });
        const box = (await reply.boundingBox())!;
        await page.screenshot({ path: join(SCREENSHOTS, `13-reply-${lang}-${width}.png`), fullPage: true, clip: { x: 0, y: Math.max(0, box.y - 500), width, height: box.height + 620 } });
        await page.close();
      });
    }
  }

  test('the owners\' updates page and the unsubscribe page', async () => {
    await sendUpdate(server.app.deps, 'albania', 'owner@example.org', { subject: { fa: 'خبر تازه', en: 'News' }, body: { fa: 'نامه رسید.', en: 'The letter arrived.' } }).catch(() => undefined);
    // Sign the owner in through the dev outbox's mailed link.
    const ctx = await browser.newContext({ viewport: { width: 390, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${server.baseUrl}/fa/organise`);
    await page.fill('input[name="email"]', 'owner@example.org');
    await page.click('form button[type="submit"]');
    const mail = await waitForMail(server.outboxDir, 'owner@example.org', 'login');
    const link = /https?:\/\/\S+token=[A-Za-z0-9_-]+/.exec(mail.text)![0];
    await page.goto(link);
    await page.click('form button[type="submit"]');
    await page.waitForURL(/\/fa\/organise$/);
    await page.goto(`${server.baseUrl}/fa/organise/letters/albania/updates`);
    await page.locator('h1').waitFor();
    assert.match(await page.content(), /desk-reply/);
    await page.screenshot({ path: join(SCREENSHOTS, '13-desk-updates-fa-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.baseUrl}/en/organise/letters/albania/updates`);
    await page.screenshot({ path: join(SCREENSHOTS, '13-desk-updates-en-1280.png'), fullPage: true });
    const update = await waitForMail(server.outboxDir, 'maryam@example.org', 'update');
    const unsub = update.headers!['List-Unsubscribe']!.slice(1, -1);
    const p2 = await browser.newPage({ viewport: { width: 390, height: 700 } });
    await p2.goto(unsub);
    await p2.screenshot({ path: join(SCREENSHOTS, '13-unsubscribe-fa-390.png'), fullPage: true });
    await p2.click('form button[type="submit"]');
    await p2.locator('[role="status"]').waitFor();
    await p2.close();
    await ctx.close();
  });
});
