/**
 * Accessibility in CI (issue 16 item 6): axe-core (pinned in package.json, its axe.min.js read from node_modules and
 * put into the page by playwright's addScriptTag: nothing is downloaded) runs in Debian's chromium on every page type
 * — the letter, a failed sign, thanks, confirm, receipt, the receipt checks, withdraw, manage and its erasure page,
 * privacy, the organiser's sign-in, desk, signatures table and review queue — in English, Persian and Arabic. No
 * violation of impact serious or critical may be found. Then a signer signs with the keyboard alone: Tab to the
 * "Sign this letter" link, Enter, Tab through the form typing, Enter on the button, and the thanks page opens.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { launchChromium, linkIn, signAndConfirmViaApi, startServer, tokenIn, waitFor, waitForMail, type LiveServer } from '../support/browser.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_VERSION = (JSON.parse(readFileSync(createRequire(import.meta.url).resolve('axe-core/package.json'), 'utf8')) as { version: string }).version;
const SLUG = 'a11y';
const ORGANISER = 'org@example.org';
const LANGS = ['en', 'fa', 'ar'] as const;

// Page-side globals used in evaluate callbacks (the project does not load lib "dom").
declare const document: { activeElement: { id: string; tagName: string; getAttribute(n: string): string | null } | null };

interface AxeNode { target: string[]; failureSummary?: string }
interface AxeViolation { id: string; impact: string | null; help: string; nodes: AxeNode[] }

let server: LiveServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const tokens = { confirm: '', receipt: '', withdraw: '', manage: '' };

async function context(opts: { width?: number } = {}): Promise<BrowserContext> {
  // The pages' CSP allows only our own scripts; axe is put in as an inline script, so this context bypasses it.
  const ctx = await browser.newContext({ bypassCSP: true, viewport: { width: opts.width ?? 1280, height: 900 } });
  contexts.push(ctx);
  return ctx;
}

/** Rule ids of the lesser (moderate, minor) violations seen, with how many pages showed each: printed, not failed. */
const lesser = new Map<string, number>();

/** axe's serious and critical violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: AXE });
  const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as { violations: AxeViolation[] };
  for (const v of result.violations) if (v.impact !== 'serious' && v.impact !== 'critical') lesser.set(`${v.id} (${v.impact})`, (lesser.get(`${v.id} (${v.impact})`) ?? 0) + 1);
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const describeViolations = (vs: AxeViolation[]) => vs.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`).join('\n  ')}`).join('\n');

async function signInOrganiser(page: Page): Promise<void> {
  await page.goto(`${server.baseUrl}/en/organise`);
  await page.fill('#email', ORGANISER);
  await page.click('button[type=submit]');
  const mail = await waitForMail(server.outboxDir, ORGANISER, 'login');
  await page.goto(linkIn(mail));
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.baseUrl}/en/organise`);
}

describe(`accessibility: axe-core ${AXE_VERSION} in chromium, en, fa and ar`, { timeout: 600_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchChromium();
    await createLetter(server.app.deps, {
      slug: SLUG,
      addressee: { name: 'Ilir Meta', title: 'President of Albania' },
      defaultLang: 'fa',
      organisers: [ORGANISER],
      goal: 100,
      versions: [
        { lang: 'fa', title: 'نامهٔ سرگشاده به رئیس‌جمهور آلبانی', body: 'جناب آقای **ایلیر متا**،\n\nما گروهی از اعضای سابق سازمان هستیم که سال‌ها در اردوگاه اشرف زندگی کرده‌ایم.', statement: 'من این نامه را امضا می‌کنم', addressee: { name: 'ایلیر متا', title: 'رئیس‌جمهور آلبانی' } },
        { lang: 'en', title: 'Open letter to the President of Albania', body: 'Dear **Mr Ilir Meta**,\n\nWe, a group of former members, lived for years in Camp Ashraf.' },
        { lang: 'ar', title: 'رسالة مفتوحة إلى رئيس ألبانيا', body: 'السيد **إيلير ميتا**،\n\nنحن مجموعة من الأعضاء السابقين.' },
      ],
    }, { publish: true });
    // Signers with public and hidden names, so that the list, the table and the pages have content.
    await signAndConfirmViaApi(server, SLUG, { name: 'Zoe Adams', email: 'zoe@example.org', lang: 'en', title: 'Teacher', country: 'GB' });
    await signAndConfirmViaApi(server, SLUG, { name: 'مریم رضایی', nameAlt: 'Maryam Rezaei', email: 'maryam@example.org', lang: 'fa', country: 'IR' });
    await signAndConfirmViaApi(server, SLUG, { name: 'Maryam Rezai', email: 'maryam.r@example.org', lang: 'en', visibility: 'hidden' });
    // One signer whose links the signer's pages open: confirmed (receipt, withdraw, manage), and one left pending (confirm).
    await signAndConfirmViaApi(server, SLUG, { name: 'علی محمدی', email: 'ali@example.org', lang: 'fa', title: 'مهندس' });
    const mail = await waitForMail(server.outboxDir, 'ali@example.org');
    tokens.withdraw = tokenIn(mail.text.match(/https?:\/\/\S+\/withdraw\?token=[A-Za-z0-9_-]+/)![0]);
    tokens.manage = tokenIn(mail.text.match(/https?:\/\/\S+\/manage\?token=[A-Za-z0-9_-]+/)![0]);
    const pending = await fetch(`${server.baseUrl}/api/v1/letters/${SLUG}/signatures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Pending Person', email: 'pending@example.org', lang: 'en' }) });
    assert.equal(pending.status, 202);
    tokens.confirm = tokenIn(linkIn(await waitForMail(server.outboxDir, 'pending@example.org')));
    // A receipt link: the "already signed" mail carries a fresh one.
    await fetch(`${server.baseUrl}/api/v1/letters/${SLUG}/signatures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'علی محمدی', email: 'ali@example.org', lang: 'fa' }) });
    const already = await waitForMail(server.outboxDir, 'ali@example.org', 'already-signed');
    tokens.receipt = already.text.match(/\/receipts\/([A-Za-z0-9_-]+)/)![1]!;
    await waitFor('the signatures in the log', async () => ((await (await fetch(`${server.baseUrl}/api/v1/letters/${SLUG}/signatures?lang=en`)).json()) as { items: { logIndex: number | null }[] }).items.every((i) => i.logIndex !== null) || undefined);
  });

  after(async () => {
    if (lesser.size) console.log(`# axe: moderate or minor findings (pages): ${[...lesser].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.close();
  });

  /** The signer's and the public pages, by a name and how to reach them in a language. */
  const publicPages: [name: string, open: (page: Page, lang: string) => Promise<unknown>, shows: string][] = [
    ['letter', (p, l) => p.goto(`${server.baseUrl}/${l}/letters/${SLUG}`), 'section.sign form'],
    ['sign errors', async (p, l) => {
      await p.goto(`${server.baseUrl}/${l}/letters/${SLUG}`);
      await p.fill('#email', 'not an address');
      await Promise.all([p.waitForURL(/\/sign$/), p.click('section.sign button[type=submit]')]);
    }, '.has-error #email'],
    ['thanks', (p, l) => p.goto(`${server.baseUrl}/${l}/letters/${SLUG}/thanks`), 'main h1'],
    ['confirm', (p, l) => p.goto(`${server.baseUrl}/${l}/confirm?token=${tokens.confirm}`), 'form[action$="/confirm"]'],
    ['receipt', (p, l) => p.goto(`${server.baseUrl}/${l}/receipts/${tokens.receipt}`), 'ul.downloads'],
    ['receipt check', (p, l) => p.goto(`${server.baseUrl}/${l}/receipts/${tokens.receipt}/verify`), '#receipt-check:not([hidden])'],
    ['verify', (p, l) => p.goto(`${server.baseUrl}/${l}/verify`), '#receipt-check:not([hidden])'],
    ['withdraw', (p, l) => p.goto(`${server.baseUrl}/${l}/withdraw?token=${tokens.withdraw}`), 'form[action$="/withdraw"]'],
    ['manage', (p, l) => p.goto(`${server.baseUrl}/${l}/manage?token=${tokens.manage}`), 'dl.facts'],
    ['manage: erase', (p, l) => p.goto(`${server.baseUrl}/${l}/manage/erase?token=${tokens.manage}`), 'button.danger'],
    ['privacy', (p, l) => p.goto(`${server.baseUrl}/${l}/privacy`), 'ul.public'],
    ['organiser sign-in', (p, l) => p.goto(`${server.baseUrl}/${l}/organise`), '#email'],
  ];

  const organiserPages: [name: string, path: (lang: string) => string][] = [
    ['desk dashboard', (l) => `/${l}/organise`],
    ['signatures table', (l) => `/${l}/organise/letters/${SLUG}/signatures`],
    ['review queue', (l) => `/${l}/organise/letters/${SLUG}/reviews`],
  ];

  test('the check itself: axe runs in the page and reports a missing alternative text and an unnamed button', async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${server.baseUrl}/en/privacy`);
    await page.evaluate('document.querySelector("main").insertAdjacentHTML("beforeend", "<img src=\'/assets/favicon.svg\'><button></button>")');
    const ids = (await seriousViolations(page)).map((v) => v.id).sort();
    assert.deepEqual(ids, ['button-name', 'image-alt']);
  });

  test('no serious or critical violation on the signer\'s and the public pages', async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    const found: string[] = [];
    for (const lang of LANGS) {
      for (const [name, open, shows] of publicPages) {
        await open(page, lang);
        // The page is the one meant (a valid link, the form), not an error page.
        await page.waitForSelector(shows, { state: 'attached' });
        const vs = await seriousViolations(page);
        if (vs.length) found.push(`${name} (${lang}) ${page.url()}\n${describeViolations(vs)}`);
      }
    }
    assert.deepEqual(found, [], found.join('\n\n'));
  });

  test('no serious or critical violation on the organiser\'s pages', async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    await signInOrganiser(page);
    const found: string[] = [];
    for (const lang of LANGS) {
      for (const [name, path] of organiserPages) {
        const res = await page.goto(server.baseUrl + path(lang));
        assert.equal(res?.status(), 200, `${name} (${lang})`);
        const vs = await seriousViolations(page);
        if (vs.length) found.push(`${name} (${lang}) ${page.url()}\n${describeViolations(vs)}`);
      }
    }
    assert.deepEqual(found, [], found.join('\n\n'));
  });

  test('at phone width too (the letter, a failed sign, manage), in all three languages', async () => {
    const ctx = await context({ width: 390 });
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    const found: string[] = [];
    for (const lang of LANGS) {
      for (const [name, open, shows] of publicPages.filter(([n]) => ['letter', 'sign errors', 'manage'].includes(n))) {
        await open(page, lang);
        await page.waitForSelector(shows, { state: 'attached' });
        const vs = await seriousViolations(page);
        if (vs.length) found.push(`${name} (${lang}, 390 px)\n${describeViolations(vs)}`);
      }
    }
    assert.deepEqual(found, [], found.join('\n\n'));
  });

  test('keyboard only: Tab to "Sign this letter", Enter, Tab through the form typing, Enter on the button: the thanks page', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${server.baseUrl}/en/letters/${SLUG}`);
    const focused = () => page.evaluate(() => {
      const a = document.activeElement;
      return a ? { id: a.id, tag: a.tagName.toLowerCase(), href: a.getAttribute('href'), type: a.getAttribute('type'), name: a.getAttribute('name') } : undefined;
    });
    // From the top of the page: the link to the form comes within a few Tabs (after the header's links).
    let presses = 0;
    for (;;) {
      await page.keyboard.press('Tab');
      presses++;
      const f = await focused();
      if (f?.href === '#sign') break;
      assert.ok(presses < 20, 'the "Sign this letter" link is reached by Tab from the top');
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(/#sign$/);
    // Into the form, typing as we go.
    const typed: string[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const f = await focused();
      if (!f) continue;
      if (f.id === 'name') await page.keyboard.type('Kim Keyboard');
      else if (f.id === 'email') await page.keyboard.type('kim@example.org');
      else if (f.id === 'country') await page.keyboard.type('Canada');
      else if (f.tag === 'button' && f.type === 'submit') {
        await Promise.all([page.waitForURL(/\/thanks/), page.keyboard.press('Enter')]);
        break;
      } else continue;
      typed.push(f.id);
    }
    assert.deepEqual(typed, ['name', 'country', 'email'], 'the form is walked in order: name first, the email before the button');
    assert.match(page.url(), /\/en\/letters\/a11y\/thanks/);
    const mail = await waitForMail(server.outboxDir, 'kim@example.org');
    assert.match(mail.text, /Kim Keyboard/);
  });
});
