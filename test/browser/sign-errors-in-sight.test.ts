/**
 * Browser story, in Debian's chromium at phone width (390 × 844): a failed sign comes back with the error summary
 * first on the page, focused, in the first screen, each error a link to its field and the typed values kept, with
 * JavaScript off as well as on; a rate-limited sign says so in the same place. A "Sign this letter" link near the top
 * of the letter page takes the reader to the form in one tap.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { translator } from '../../src/adapters/i18n/index.ts';
import { launchChromium, screenshot, startServer, type LiveServer } from '../support/browser.ts';

// Page-side globals used in evaluate callbacks (the project does not load lib "dom").
declare const document: { activeElement: { id: string } | null };
declare const window: { scrollY: number; innerHeight: number };

const SLUG = 'errors-in-sight';
const LONG = Array.from({ length: 14 }, (_, i) => `Paragraph ${i + 1}. We, a group of former members of the organisation who lived for years in Camp Ashraf and then in Albania, ask you to look into the situation of those who are still there.`).join('\n\n');
const LONG_FA = Array.from({ length: 14 }, () => 'ما گروهی از اعضای سابق سازمان، که سال‌ها در اردوگاه اشرف و سپس در آلبانی زندگی کرده‌ایم، از شما می‌خواهیم که به وضعیت کسانی که هنوز آنجا هستند رسیدگی کنید.').join('\n\n');
const en = translator('en');
const fa = translator('fa');
const PHONE = { width: 390, height: 844 };

let server: LiveServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function phone(javaScriptEnabled: boolean, locale = 'en-GB'): Promise<Page> {
  const ctx = await browser.newContext({ javaScriptEnabled, locale, viewport: PHONE });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

const letterUrl = (lang: string) => `${server.baseUrl}/${lang}/letters/${SLUG}`;

/** The element's box relative to the top of the screen as it is scrolled now. */
async function onScreen(page: Page, selector: string) {
  const box = await page.locator(selector).boundingBox();
  assert.ok(box, `${selector} is rendered`);
  return { top: box.y, bottom: box.y + box.height };
}

async function submit(page: Page, lang: string) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/${lang}/letters/${SLUG}/sign`) && r.request().method() === 'POST'),
    page.click('section.sign button[type=submit]'),
  ]);
  await page.waitForLoadState('domcontentloaded');
  return res.status();
}

describe('errors in sight at phone width (chromium)', { timeout: 180_000 }, () => {
  before(async () => {
    server = await startServer({ UNDERSIGNED_RATE_LIMIT: '3' });
    browser = await launchChromium();
    await createLetter(server.app.deps, {
      slug: SLUG,
      addressee: { name: 'Ilir Meta' },
      defaultLang: 'en',
      versions: [
        { lang: 'en', title: 'A long open letter', body: LONG },
        { lang: 'fa', title: 'نامهٔ سرگشادهٔ بلند', body: LONG_FA },
      ],
    }, { publish: true });
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.close();
  });

  test('the "Sign this letter" link is in the first screen and takes the reader to the form', async () => {
    const page = await phone(false);
    await page.goto(letterUrl('en'));
    const form = await onScreen(page, 'section.sign');
    assert.ok(form.top > PHONE.height, `the form starts below the first screen (${form.top}px): the link is needed`);
    const link = await onScreen(page, '.tally a[href="#sign"]');
    assert.ok(link.bottom <= PHONE.height, `the sign link is in the first screen: ${JSON.stringify(link)}`);
    assert.equal((await page.locator('.tally a[href="#sign"]').textContent())?.trim(), en('letter.signLink'));
    await page.click('.tally a[href="#sign"]');
    const after = await onScreen(page, '#sign-heading');
    assert.ok(after.top >= 0 && after.bottom <= PHONE.height, `one tap and the form's heading is on screen: ${JSON.stringify(after)}`);
  });

  test('without JavaScript: the summary is first, focused, in the first screen, linked to the fields; values kept', async () => {
    const page = await phone(false);
    await page.goto(letterUrl('en'));
    await page.fill('#name', 'Zoe Adams');
    await page.fill('#email', 'zoe.example.net');
    assert.equal(await submit(page, 'en'), 400);
    assert.equal(await page.evaluate(() => window.scrollY), 0, 'the page opens at its top');
    const box = await onScreen(page, '#error-summary');
    assert.ok(box.top >= 0 && box.bottom <= PHONE.height, `the summary is in the first screen: ${JSON.stringify(box)}`);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary', 'focus is on the summary');
    assert.equal(await page.getAttribute('#error-summary', 'role'), 'alert');
    assert.equal((await page.locator('#error-summary h2').textContent())?.trim(), en('sign.errors.title'));
    const links = await page.locator('#error-summary li a').evaluateAll((els) => els.map((a) => [a.getAttribute('href'), a.textContent?.trim()]));
    assert.deepEqual(links, [['#email', en('sign.errors.item', { field: en('sign.email'), message: en('field.INVALID_EMAIL') })]]);
    assert.equal(await page.inputValue('#name'), 'Zoe Adams');
    assert.equal(await page.inputValue('#email'), 'zoe.example.net');
    await screenshot(page, '16-sign-errors-en-390');
    await page.click('#error-summary a[href="#email"]');
    const [field, label] = [await onScreen(page, '#email'), await onScreen(page, 'label[for=email]')];
    assert.ok(label.top >= 0 && field.bottom <= PHONE.height, `the link brings the field and its label on screen: ${JSON.stringify({ label, field })}`);
  });

  test('with JavaScript, in Persian: an empty form lists both required fields, in the form’s order', async () => {
    const page = await phone(true, 'fa-IR');
    await page.goto(letterUrl('fa'));
    assert.equal(await submit(page, 'fa'), 400);
    const box = await onScreen(page, '#error-summary');
    assert.ok(box.bottom <= PHONE.height, `the summary is in the first screen: ${JSON.stringify(box)}`);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary');
    const hrefs = await page.locator('#error-summary li a').evaluateAll((els) => els.map((a) => a.getAttribute('href')));
    assert.deepEqual(hrefs, ['#name', '#email']);
    assert.equal((await page.locator('#error-summary li a').first().textContent())?.trim(), fa('sign.errors.item', { field: fa('sign.name'), message: fa('field.REQUIRED') }));
    await screenshot(page, '16-sign-errors-fa-390');
  });

  test('a rate-limited sign says so at the top, the form filled in', async () => {
    const page = await phone(false);
    await page.goto(letterUrl('en'));
    let status = 0;
    for (let i = 0; i < 6 && status !== 429; i++) {
      await page.fill('#name', 'Zoe Adams');
      await page.fill('#email', 'not-an-address');
      status = await submit(page, 'en');
    }
    assert.equal(status, 429);
    const box = await onScreen(page, '#error-summary');
    assert.ok(box.top >= 0 && box.bottom <= PHONE.height, `the summary is in the first screen: ${JSON.stringify(box)}`);
    assert.match((await page.locator('#error-summary p').textContent()) ?? '', /Too many attempts from your connection\. Please wait \d+ seconds?/);
    assert.equal(await page.inputValue('#name'), 'Zoe Adams');
  });
});
