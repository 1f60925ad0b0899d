/**
 * Browser story, in Debian's chromium: Maryam signs the Persian page of a fa+en letter, makes a mistake first,
 * confirms from the mailed link (a GET counts nothing, the button does) and finds her name, exactly as she typed
 * it, in the list. Zoe signs the English page with JavaScript off. More people sign through the API, and each
 * page lists everyone in its own language's order. Screenshots go to artifacts/screenshots/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { translator } from '../../src/adapters/i18n/index.ts';
import { launchChromium, linkIn, screenshot, signAndConfirmViaApi, startServer, waitForMail, type LiveServer } from '../support/browser.ts';

// Page-side global used in evaluate callbacks (module-scoped; the project does not load lib "dom").
declare function getComputedStyle(el: unknown): { direction: string };

const SLUG = 'albania-letter';
// Typed as on a Persian phone with an Arabic keyboard: ZWNJ (U+200C) inside the surname and Arabic yeh ي (U+064A)
// rather than Persian ی (U+06CC). It must come back byte for byte: names are never rewritten.
const MARYAM = 'مریم رضاي\u200cزاده';
const MARYAM_EMAIL = 'Maryam.Rezaei@example.org';
const ZOE = 'Zoe Adams';
const ZOE_EMAIL = 'zoe@example.net';

const fa = translator('fa');
const en = translator('en');

const LETTER = {
  slug: SLUG,
  addressee: { name: 'Ilir Meta', title: 'President of Albania' },
  defaultLang: 'fa',
  goal: 500,
  versions: [
    {
      lang: 'fa',
      title: 'نامهٔ سرگشاده به رئیس‌جمهور آلبانی',
      body: 'جناب آقای **ایلیر متا**،\n\nما گروهی از اعضای سابق سازمان، که سال‌ها در اردوگاه اشرف و سپس در آلبانی زندگی کرده‌ایم، از شما می‌خواهیم که به وضعیت کسانی که هنوز آنجا هستند رسیدگی کنید.\n\nبا احترام،',
      statement: 'من این نامه را امضا می‌کنم',
    },
    {
      lang: 'en',
      title: 'Open letter to the President of Albania',
      body: 'Dear **Mr Ilir Meta**,\n\nWe, a group of former members of the organisation who lived for years in Camp Ashraf and then in Albania, ask you to look into the situation of those who are still there.\n\nRespectfully,',
    },
  ],
};

let server: LiveServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(opts: { javaScriptEnabled?: boolean; locale?: string } = {}): Promise<Page> {
  const ctx = await browser.newContext({ javaScriptEnabled: opts.javaScriptEnabled ?? true, locale: opts.locale ?? 'fa-IR', viewport: { width: 1000, height: 800 } });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  page.setDefaultNavigationTimeout(15_000);
  return page;
}

const letterUrl = (lang: string) => `${server.baseUrl}/${lang}/letters/${SLUG}`;
const listNames = (page: Page) => page.locator('section.signatories ol.names li bdi.name').allTextContents();
const countText = async (page: Page) => (await page.locator('.tally .count strong').textContent())?.trim();

/** Confirms a mailed link as a person does: open it (GET), then press the button. */
async function confirmFromMail(page: Page, email: string) {
  const mail = await waitForMail(server.outboxDir, email);
  const link = linkIn(mail);
  assert.ok(link.startsWith(server.baseUrl + '/'), `the mailed link points at this server: ${link}`);
  await page.goto(link);
  await page.locator('main form button[type=submit]').click();
  await page.waitForURL((u) => u.pathname.endsWith('/confirm') && !u.search.includes('token'));
}

describe('Maryam signs in Persian (chromium)', { timeout: 180_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchChromium();
    await createLetter(server.app.deps, LETTER, { publish: true });
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.close();
  });

  test('the Persian page is right-to-left, linked to its English version, and signing confirms only on the button', { timeout: 60_000 }, async () => {
    const page = await newPage();
    const res = await page.goto(letterUrl('fa'));
    assert.equal(res?.status(), 200);

    // Direction and language, on the document and on the letter itself.
    assert.equal(await page.getAttribute('html', 'lang'), 'fa');
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await page.locator('article.letter .body').evaluate((el) => getComputedStyle(el).direction), 'rtl');
    assert.equal(await page.locator('section.sign form').evaluate((el) => getComputedStyle(el).direction), 'rtl');
    // A right-to-left form starts at the right: the name field's label sits at the right edge of the form.
    const [formBox, labelBox] = await Promise.all([page.locator('section.sign form').boundingBox(), page.locator('label[for=name]').boundingBox()]);
    assert.ok(formBox && labelBox && Math.abs(formBox.x + formBox.width - (labelBox.x + labelBox.width)) < 2, 'the name label is aligned to the right edge of the form');
    assert.equal((await page.locator('h1').textContent())?.trim(), LETTER.versions[0]!.title);

    // hreflang alternates (absolute, on the public base URL) and the language switcher.
    const alternates = await page.locator('head link[rel=alternate]').evaluateAll((els) => els.map((e) => [e.getAttribute('hreflang'), e.getAttribute('href')]));
    assert.deepEqual(new Map(alternates as [string, string][]), new Map([['fa', letterUrl('fa')], ['en', letterUrl('en')]]));
    const switcher = page.locator('header.site nav.langs a[hreflang=en]');
    assert.equal(await switcher.getAttribute('href'), `/en/letters/${SLUG}`);
    assert.equal(await switcher.getAttribute('lang'), 'en');
    assert.equal(await page.locator('header.site nav.langs [aria-current=true]').getAttribute('lang'), 'fa');
    assert.equal(await countText(page), fa('letter.count', { count: 0 }));

    // First try: a mistyped address. The page answers in Persian and keeps what she typed.
    await page.fill('#name', MARYAM);
    await page.selectOption('#country', 'IR');
    await page.fill('#email', 'maryam.rezaei.example.org');
    const [bad] = await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/fa/letters/${SLUG}/sign`) && r.request().method() === 'POST'), page.click('section.sign button[type=submit]')]);
    assert.equal(bad.status(), 400);
    await page.waitForLoadState('domcontentloaded');
    assert.equal(await page.getAttribute('html', 'lang'), 'fa');
    assert.equal((await page.locator('#email-error').textContent())?.trim(), fa('field.INVALID_EMAIL'));
    assert.equal((await page.locator('#error-summary h2').textContent())?.trim(), fa('sign.errors.title'));
    assert.equal((await page.locator('#error-summary li a[href="#email"]').textContent())?.trim(), fa('sign.errors.item', { field: fa('sign.email'), message: fa('field.INVALID_EMAIL') }));
    assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
    assert.match((await page.getAttribute('#email', 'aria-describedby')) ?? '', /\bemail-error\b/);
    assert.equal(await page.inputValue('#name'), MARYAM, 'her name comes back exactly as typed');
    assert.equal(await page.inputValue('#email'), 'maryam.rezaei.example.org');
    assert.equal(await page.inputValue('#country'), 'IR');
    await screenshot(page, 'fa-form-errors');

    // Second try: a good address. The thanks page does not say whether the address had signed before.
    await page.fill('#email', MARYAM_EMAIL);
    await page.click('section.sign button[type=submit]');
    await page.waitForURL(`${letterUrl('fa')}/thanks`);
    assert.equal((await page.locator('main h1').textContent())?.trim(), fa('sign.thanks.title'));

    // The confirmation mail is in Persian and links to this server.
    const mail = await waitForMail(server.outboxDir, MARYAM_EMAIL);
    assert.equal(mail.lang, 'fa');
    assert.ok(mail.subject.includes(LETTER.versions[0]!.title), `Persian subject: ${mail.subject}`);
    assert.ok(mail.text.includes(MARYAM), 'the mail greets her by the name she typed');
    assert.ok(mail.text.includes('گرامی'), 'the mail text is Persian');
    const link = linkIn(mail);
    assert.ok(link.startsWith(`${server.baseUrl}/fa/confirm?token=`), link);

    // Opening the link (as a mail scanner would) shows a button and counts nothing.
    const confirmRes = await page.goto(link);
    assert.equal(confirmRes?.status(), 200);
    assert.equal((await page.locator('main h1').textContent())?.trim(), fa('confirm.title'));
    const button = page.locator('main form[method=post] button[type=submit]');
    assert.equal((await button.textContent())?.trim(), fa('confirm.button'));
    await screenshot(page, 'fa-confirm');

    const check = await newPage();
    await check.goto(letterUrl('fa'));
    assert.equal(await countText(check), fa('letter.count', { count: 0 }), 'a GET on the link confirms nothing');
    assert.equal(await check.locator('ol.names li').count(), 0);
    const api0 = (await (await fetch(`${server.baseUrl}/api/v1/letters/${SLUG}`)).json()) as { count: number };
    assert.equal(api0.count, 0);

    // Pressing the button confirms.
    await button.click();
    await page.waitForURL(`${server.baseUrl}/fa/confirm`);
    assert.equal((await page.locator('main h1').textContent())?.trim(), fa('confirm.done.title'));

    await check.reload();
    const count1 = await countText(check);
    assert.equal(count1, fa('letter.count', { count: 1 }));
    assert.ok(count1?.includes('۱'), `the count is in Persian digits: ${count1}`);
    assert.ok(!/[0-9]/.test(count1 ?? ''), 'no Latin digits in the Persian count');
    const names = await listNames(check);
    assert.deepEqual(names, [MARYAM], 'listed exactly as typed (ZWNJ and Arabic yeh kept)');
    // Each name is isolated in a <bdi>, so a Latin name in a Persian list cannot reorder its neighbours.
    assert.equal(await check.locator('ol.names li').first().locator('bdi.name').count(), 1);
    assert.ok(!(await check.content()).toLowerCase().includes(MARYAM_EMAIL.toLowerCase()), 'her email is not on the public page');
  });

  test('the English page works with JavaScript off: Zoe signs, confirms and is listed', { timeout: 60_000 }, async () => {
    const page = await newPage({ javaScriptEnabled: false, locale: 'en-GB' });
    await page.goto(letterUrl('en'));
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
    assert.equal(await page.locator('header.site nav.langs a[hreflang=fa]').getAttribute('href'), `/fa/letters/${SLUG}`);
    assert.equal(await countText(page), en('letter.count', { count: 1 }));
    // Maryam's Persian name on the English page: still exact, still isolated.
    assert.deepEqual(await listNames(page), [MARYAM]);

    await page.fill('#name', ZOE);
    await page.fill('#title', 'Human rights researcher');
    await page.fill('#email', ZOE_EMAIL);
    await page.click('section.sign button[type=submit]');
    await page.waitForURL(`${letterUrl('en')}/thanks`);
    assert.equal((await page.locator('main h1').textContent())?.trim(), en('sign.thanks.title'));

    const mail = await waitForMail(server.outboxDir, ZOE_EMAIL);
    assert.equal(mail.lang, 'en');
    await confirmFromMail(page, ZOE_EMAIL);
    assert.equal((await page.locator('main h1').textContent())?.trim(), en('confirm.done.title'));

    await page.goto(letterUrl('en'));
    assert.equal(await countText(page), en('letter.count', { count: 2 }));
    // English order: Latin before Arabic script.
    assert.deepEqual(await listNames(page), [ZOE, MARYAM]);
    assert.equal((await page.locator('ol.names li', { hasText: ZOE }).locator('bdi.affil').textContent())?.trim(), 'Human rights researcher');
  });

  test('each page sorts the list as its language sorts (پ between ب and ت in Persian; و before ه)', { timeout: 60_000 }, async () => {
    const others: { name: string; lang: string; visibility?: 'hidden' }[] = [
      { name: 'یاسمن رحیمی', lang: 'fa' },
      { name: 'هوشنگ ابتهاج', lang: 'fa' },
      { name: 'وحید نامور', lang: 'fa' },
      { name: 'تینا تهرانی', lang: 'fa' },
      { name: 'پروین اعتصامی', lang: 'fa' },
      { name: 'بهرام بیضایی', lang: 'fa' },
      { name: 'گلشیفته فراهانی', lang: 'fa' },
      { name: 'کاوه آهنگر', lang: 'fa' },
      { name: 'ژاله اصفهانی', lang: 'fa' },
      { name: 'احمد شاملو', lang: 'fa' },
      { name: 'آرش کمانگیر', lang: 'fa' },
      { name: 'Émile Zola', lang: 'en' },
      { name: 'Ali Rezaei', lang: 'en' },
      { name: 'Hidden Person', lang: 'en', visibility: 'hidden' },
    ];
    let i = 0;
    for (const o of others) await signAndConfirmViaApi(server, SLUG, { name: o.name, email: `signer${++i}@example.org`, lang: o.lang, ...(o.visibility ? { visibility: o.visibility } : {}) });

    // Written out by hand from the Persian alphabet (آ ا ب پ ت … ژ … ک گ … م … و ه ی), not computed with the same
    // collator the app uses, so a Node build without Persian collation fails here. CLDR's Persian collation puts
    // the Arabic script first, then Latin.
    const faOrder = [
      'آرش کمانگیر', 'احمد شاملو', 'بهرام بیضایی', 'پروین اعتصامی', 'تینا تهرانی', 'ژاله اصفهانی',
      'کاوه آهنگر', 'گلشیفته فراهانی', MARYAM, 'وحید نامور', 'هوشنگ ابتهاج', 'یاسمن رحیمی',
      'Ali Rezaei', 'Émile Zola', ZOE,
    ];
    // English (root) order: Latin first; in Arabic script ه before و (Persian puts و first).
    const enOrder = [
      'Ali Rezaei', 'Émile Zola', ZOE,
      'آرش کمانگیر', 'احمد شاملو', 'بهرام بیضایی', 'پروین اعتصامی', 'تینا تهرانی', 'ژاله اصفهانی',
      'کاوه آهنگر', 'گلشیفته فراهانی', MARYAM, 'هوشنگ ابتهاج', 'وحید نامور', 'یاسمن رحیمی',
    ];

    const page = await newPage();
    await page.goto(letterUrl('fa'));
    const faNames = await listNames(page);
    assert.deepEqual(faNames, faOrder);
    const faColl = new Intl.Collator('fa');
    for (let k = 1; k < faNames.length; k++) assert.ok(faColl.compare(faNames[k - 1]!, faNames[k]!) <= 0, `${faNames[k - 1]} before ${faNames[k]} in Persian`);
    const pos = (n: string) => faNames.indexOf(n);
    assert.ok(pos('بهرام بیضایی') < pos('پروین اعتصامی') && pos('پروین اعتصامی') < pos('تینا تهرانی'), 'پ after ب and before ت');
    assert.ok(pos('وحید نامور') < pos('هوشنگ ابتهاج'), 'و before ه');
    const total = others.length + 2;
    assert.equal(await countText(page), fa('letter.count', { count: total }), 'hidden signatures are counted');
    assert.ok((await countText(page))?.includes('۱۶'), 'Persian digits');
    assert.ok(!faNames.includes('Hidden Person'));
    assert.equal(await page.locator('ol.names li').count(), total - 1);
    assert.deepEqual(await page.locator('ol.names li bdi.name').evaluateAll((els) => els.map((e) => e.tagName)), Array(total - 1).fill('BDI'));
    await screenshot(page, 'fa-letter');

    await page.goto(letterUrl('en'));
    const enNames = await listNames(page);
    assert.deepEqual(enNames, enOrder);
    const enColl = new Intl.Collator('en');
    for (let k = 1; k < enNames.length; k++) assert.ok(enColl.compare(enNames[k - 1]!, enNames[k]!) <= 0, `${enNames[k - 1]} before ${enNames[k]} in English`);
    assert.equal(await countText(page), en('letter.count', { count: total }));
    assert.ok(!(await page.content()).includes('Hidden Person'));
    await screenshot(page, 'en-letter');
  });
});
