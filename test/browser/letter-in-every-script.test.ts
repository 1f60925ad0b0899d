/**
 * Browser story, in Debian's chromium: one letter in Arabic, Persian, English and Sorani Kurdish (no catalogue: the
 * server falls back to Persian, UNDERSIGNED_LANG_FALLBACK=ckb:fa,en). The Arabic version gets an Arabic interface,
 * right to left, with Arabic-Indic digits; /ar/… is the Arabic page, not a redirect; a language the letter lacks
 * leads to the letter's own default language. Persian count phrases take the singular verb for one and the plural
 * for many. Arabic-script text is never slanted or justified. Screenshots at 390 and 1280 px go to
 * artifacts/screenshots/16-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { translator } from '../../src/adapters/i18n/index.ts';
import { launchChromium, screenshot, signAndConfirmViaApi, startServer, type LiveServer } from '../support/browser.ts';

// Page-side global used in evaluate callbacks (the project does not load lib "dom").
declare function getComputedStyle(el: unknown): { direction: string; fontStyle: string; letterSpacing: string; textAlign: string; fontFamily: string; listStyleType: string };

const SLUG = 'every-script';
const LETTER = {
  slug: SLUG,
  addressee: { name: 'Ilir Meta', title: 'President of Albania' },
  defaultLang: 'ar',
  goal: 1000,
  versions: [
    {
      lang: 'ar',
      title: 'رسالة مفتوحة إلى رئيس جمهورية ألبانيا',
      addressee: { name: 'إلير ميتا', title: 'رئيس جمهورية ألبانيا' },
      body: 'السيد **إلير ميتا** المحترم،\n\nنحن مجموعة من الأعضاء السابقين في المنظمة، عشنا سنوات في مخيم أشرف ثم في ألبانيا، نطلب منكم النظر في أوضاع من لا يزالون هناك.\n\nمع الاحترام،',
      statement: 'أوقّع على هذه الرسالة',
    },
    {
      lang: 'fa',
      title: 'نامهٔ سرگشاده به رئیس‌جمهور آلبانی',
      addressee: { name: 'ایلیر متا', title: 'رئیس‌جمهور آلبانی' },
      body: 'جناب آقای **ایلیر متا**،\n\nما گروهی از اعضای سابق سازمان، که سال‌ها در اردوگاه اشرف و سپس در آلبانی زندگی کرده‌ایم، از شما می‌خواهیم که به وضعیت کسانی که هنوز آنجا هستند رسیدگی کنید.\n\nبا احترام،',
      statement: 'من این نامه را امضا می‌کنم',
    },
    {
      lang: 'en',
      title: 'Open letter to the President of Albania',
      body: 'Dear **Mr Ilir Meta**,\n\nWe, a group of former members of the organisation who lived for years in Camp Ashraf and then in Albania, ask you to look into the situation of those who are still there.\n\nRespectfully,',
      statement: 'I sign this letter',
    },
    {
      lang: 'ckb',
      title: 'نامەیەکی کراوە بۆ سەرۆک کۆماری ئەلبانیا',
      body: 'بەڕێز **ئیلیر میتا**،\n\nئێمە کۆمەڵێک لە ئەندامانی پێشووی ڕێکخراوەکەین و داوا دەکەین ڕەوشی ئەوانەی هێشتا لەوێن لەبەرچاو بگرن.',
    },
  ],
};

const fa = translator('fa');
const ar = translator('ar');

let server: LiveServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(width: number, locale = 'en-GB'): Promise<Page> {
  const ctx = await browser.newContext({ locale, viewport: { width, height: 844 } });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  page.setDefaultNavigationTimeout(15_000);
  return page;
}

const letterUrl = (lang: string) => `${server.baseUrl}/${lang}/letters/${SLUG}`;
const text = async (page: Page, selector: string) => (await page.locator(selector).first().textContent())?.trim() ?? '';
let signer = 0;
const sign = (lang: string, visibility: 'public' | 'hidden', name = `Signer ${signer}`) =>
  signAndConfirmViaApi(server, SLUG, { name, email: `signer${++signer}@example.org`, lang, visibility });

describe('a letter in every script (chromium)', { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer({ UNDERSIGNED_LANG_FALLBACK: 'ckb:fa,en' });
    browser = await launchChromium();
    await createLetter(server.app.deps, LETTER, { publish: true });
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.close();
  });

  test('Persian count phrases: a singular verb for one signer, a plural one for many', async () => {
    await sign('fa', 'public', 'مریم رضایی');
    await sign('fa', 'hidden');
    const page = await newPage(1280, 'fa-IR');
    await page.goto(letterUrl('fa'));
    assert.equal(await text(page, '.tally .count strong'), '۲ امضا');
    assert.equal(await text(page, 'section.signatories p.hint'), '۱ امضاکننده خواسته است نامش نمایش داده نشود.');
    await sign('fa', 'hidden');
    await sign('en', 'hidden');
    // The count is cached for a moment (PublicReads): wait for the page to show the new signatures.
    await page.waitForFunction(async (url: string) => (await (await fetch(url)).text()).includes('۳ امضاکننده'), letterUrl('fa'), { timeout: 10_000 });
    await page.reload();
    assert.equal(await text(page, 'section.signatories p.hint'), '۳ امضاکننده خواسته‌اند نامشان نمایش داده نشود.');
    assert.equal(await text(page, '.tally .count strong'), '۴ امضا');
  });

  test('the Arabic version has an Arabic interface, right to left, with Arabic-Indic digits', async () => {
    const page = await newPage(1280, 'ar-EG');
    const res = await page.goto(letterUrl('ar'));
    assert.equal(res?.status(), 200);
    assert.equal(new URL(page.url()).pathname, `/ar/letters/${SLUG}`, 'the Arabic page itself, not a redirect');
    assert.equal(await page.getAttribute('html', 'lang'), 'ar');
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await text(page, 'h1'), LETTER.versions[0]!.title);
    assert.equal(await text(page, 'section.sign h2'), ar('sign.heading'));
    assert.equal(await text(page, 'label[for=name]'), ar('sign.name'));
    assert.equal(await text(page, 'section.sign button[type=submit]'), ar('sign.submit'));
    // "إلى: إلير ميتا، رئيس جمهورية ألبانيا" in one right-to-left line, the names isolated.
    assert.equal(await text(page, 'p.addressee'), 'إلى: إلير ميتا، رئيس جمهورية ألبانيا');
    assert.equal(await page.locator('p.addressee').evaluate((el) => getComputedStyle(el).direction), 'rtl');
    const count = await text(page, '.tally .count strong');
    assert.equal(count, ar('letter.count', { count: 4 }));
    assert.match(count, /^٤ توقيعات$/, 'four signatures, in Arabic-Indic digits and the plural for 3–10');
    const goal = await text(page, '.tally .goal');
    assert.match(goal, /١٬٠٠٠/, `the goal in Arabic-Indic digits: ${goal}`);
    assert.doesNotMatch(`${count} ${goal}`, /[0-9]/, 'no Latin digits in the tally');
    assert.equal(await page.locator('ol.names').evaluate((el) => getComputedStyle(el).listStyleType), 'arabic-indic');
    // Typography: Naskh, no synthetic slant on the statement, ragged text, no letter-spacing.
    const style = await page.locator('.statement').evaluate((el) => ({ fontStyle: getComputedStyle(el).fontStyle, letterSpacing: getComputedStyle(el).letterSpacing }));
    assert.deepEqual(style, { fontStyle: 'normal', letterSpacing: 'normal' });
    assert.notEqual(await page.locator('article.letter .body p').first().evaluate((el) => getComputedStyle(el).textAlign), 'justify');
    assert.match(await page.locator('article.letter .body').evaluate((el) => getComputedStyle(el).fontFamily), /^"?Noto Naskh Arabic"?/);
    // The language switcher names every version in its own language.
    assert.equal(await page.locator('header.site nav.langs a[hreflang=fa]').getAttribute('href'), `/fa/letters/${SLUG}`);
  });

  test('the Persian statement is upright and the Persian text ragged, on the page and in the English one italic', async () => {
    const page = await newPage(1280, 'fa-IR');
    await page.goto(letterUrl('fa'));
    assert.equal(await page.locator('.statement').evaluate((el) => getComputedStyle(el).fontStyle), 'normal');
    assert.equal(await page.locator('article.letter .body p').first().evaluate((el) => getComputedStyle(el).textAlign), 'start');
    await page.goto(letterUrl('en'));
    assert.equal(await page.locator('.statement').evaluate((el) => getComputedStyle(el).fontStyle), 'italic');
  });

  test('a language the letter lacks leads to the letter’s default language, not to English', async () => {
    const page = await newPage(1280, 'de-DE');
    await page.goto(letterUrl('de'));
    assert.equal(new URL(page.url()).pathname, `/ar/letters/${SLUG}`);
    const persian = await newPage(1280, 'fa-IR');
    await persian.goto(letterUrl('tr'));
    assert.equal(new URL(persian.url()).pathname, `/fa/letters/${SLUG}`, 'a reader of Persian gets the Persian version');
  });

  test('a version in a language without a catalogue gets its fallback interface, lang and dir right per block', async () => {
    const page = await newPage(1280, 'ckb');
    await page.goto(letterUrl('ckb'));
    assert.equal(new URL(page.url()).pathname, `/ckb/letters/${SLUG}`);
    assert.equal(await page.getAttribute('html', 'lang'), 'fa', 'the interface is Persian, and says so');
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await page.getAttribute('article.letter', 'lang'), 'ckb', 'the letter text is Sorani');
    assert.equal(await page.getAttribute('p.addressee', 'lang'), 'fa');
    assert.equal(await text(page, 'section.sign h2'), fa('sign.heading'));
    assert.equal(await text(page, '.tally .count strong'), fa('letter.count', { count: 4 }));
    assert.equal(await page.getAttribute('section.sign form input[name=lang]', 'value'), 'ckb', 'signing stays on the Sorani version');
  });

  test('screenshots of the letter page at 390 and 1280 px in fa, ar and en', async () => {
    for (const [lang, locale] of [['fa', 'fa-IR'], ['ar', 'ar-EG'], ['en', 'en-GB']] as const) {
      for (const width of [390, 1280]) {
        const page = await newPage(width, locale);
        await page.goto(letterUrl(lang));
        await page.evaluate(() => (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts.ready);
        // No horizontal scrolling at phone width: nothing is wider than the screen.
        const overflow = await page.evaluate(() => {
          const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
          return d.scrollWidth - d.clientWidth;
        });
        assert.ok(overflow <= 0, `${lang} at ${width}px scrolls sideways by ${overflow}px`);
        await screenshot(page, `16-letter-${lang}-${width}`);
      }
    }
  });
});
