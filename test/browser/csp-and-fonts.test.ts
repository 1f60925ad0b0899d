/**
 * The pages carry no inline script or style, so the strict CSP (script-src 'self'; style-src 'self') never has to
 * block anything, and the Persian font is served by us and really used. Checked in Debian's chromium: it reports
 * every CSP violation as a console error and as a `securitypolicyviolation` event.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { launchChromium, screenshot, signAndConfirmViaApi, startServer, type LiveServer } from '../support/browser.ts';

// Page-side globals, typed here rather than by adding lib "dom" to the whole project (it would retype Node's fetch
// and hide mistakes in server code). Module-scoped: these declarations do not leak into other files.
interface El { tagName: string; outerHTML: string; attributes: Iterable<{ name: string }> }
declare const document: {
  fonts: Iterable<{ family: string; weight: string; status: string }> & { ready: Promise<unknown>; check(font: string): boolean };
  querySelector(sel: string): El | null;
  querySelectorAll(sel: string): ArrayLike<El> & Iterable<El>;
  styleSheets: Iterable<{ href: string | null }>;
  addEventListener(type: 'securitypolicyviolation', cb: (e: { violatedDirective: string; blockedURI: string; sourceFile: string; lineNumber: number }) => void): void;
  body: El;
};
declare const window: unknown;
declare function getComputedStyle(el: El): { fontFamily: string };
declare function requestAnimationFrame(cb: () => void): number;

const SLUG = 'csp-check';
let server: LiveServer;
let browser: Browser;
let ctx: BrowserContext;

interface Watch {
  console: string[];
  violations: string[];
  failed: string[];
  fonts: string[];
}

async function watchedPage(): Promise<{ page: Page; seen: Watch }> {
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  const seen: Watch = { console: [], violations: [], failed: [], fonts: [] };
  page.on('console', (m) => {
    // The browser's own favicon probe is not part of the page (no <link rel=icon> yet: it 404s; see the report).
    if (new URL(m.location().url || 'about:blank').pathname === '/favicon.ico') return;
    if (m.type() === 'error' || m.type() === 'warning') seen.console.push(`${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => seen.console.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => seen.failed.push(`${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.url().includes('/assets/fonts/')) seen.fonts.push(`${r.status()} ${new URL(r.url()).pathname}`);
    if (r.status() >= 400) seen.failed.push(`${r.status()} ${r.url()}`);
  });
  // Exposed bindings run outside the page (and are not subject to its CSP); the listener is installed by CDP
  // before any page script, so it sees violations during load too.
  await page.exposeBinding('__reportViolation', (_src, v: string) => void seen.violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportViolation(v: string): void }).__reportViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return { page, seen };
}

async function fontState(page: Page) {
  return page.evaluate(async () => {
    await document.fonts.ready;
    const faces = [...document.fonts].filter((f) => f.family.replace(/["']/g, '') === 'Vazirmatn');
    return {
      check: document.fonts.check('16px Vazirmatn'),
      faces: faces.map((f) => `${f.weight}:${f.status}`),
      bodyFont: getComputedStyle(document.querySelector('article.letter .body')!).fontFamily,
      htmlFont: getComputedStyle(document.body).fontFamily,
    };
  });
}

describe('no inline script or style, and the Persian font loads (chromium)', { timeout: 120_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchChromium();
    ctx = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    await createLetter(
      server.app.deps,
      {
        slug: SLUG,
        addressee: { name: 'Ilir Meta' },
        defaultLang: 'fa',
        versions: [
          { lang: 'fa', title: 'نامهٔ سرگشاده', body: 'متن **نامه** با [پیوند](https://example.org) و <b>HTML خام</b> که نباید اجرا شود.\n\n<script>alert(1)</script>' },
          { lang: 'en', title: 'Open letter', body: 'The **letter** with a [link](https://example.org) and <i style="color:red">raw HTML</i>.' },
        ],
      },
      { publish: true },
    );
    await signAndConfirmViaApi(server, SLUG, { name: 'پروین اعتصامی', email: 'p@example.org', lang: 'fa' });
    await signAndConfirmViaApi(server, SLUG, { name: 'Zoe Adams', email: 'z@example.org', lang: 'en' });
  });

  after(async () => {
    await ctx?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.close();
  });

  for (const lang of ['fa', 'en'] as const) {
    test(`/${lang}/letters/${SLUG}: strict CSP header, no inline script or style, no violation reported`, { timeout: 60_000 }, async () => {
      const { page, seen } = await watchedPage();
      const res = await page.goto(`${server.baseUrl}/${lang}/letters/${SLUG}`, { waitUntil: 'load' });
      assert.equal(res?.status(), 200);
      const csp = (await res!.allHeaders())['content-security-policy'] ?? '';
      assert.match(csp, /(^|;)\s*script-src 'self'(;|$)/, csp);
      assert.match(csp, /(^|;)\s*style-src 'self'(;|$)/, csp);

      const inline = await page.evaluate(() => ({
        scripts: document.querySelectorAll('script:not([src])').length,
        styles: document.querySelectorAll('style').length,
        styleAttrs: [...document.querySelectorAll('[style]')].map((e) => e.outerHTML.slice(0, 80)),
        handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`)),
        jsLinks: [...document.querySelectorAll('a[href^="javascript:" i]')].length,
        stylesheets: [...document.styleSheets].map((s) => s.href),
      }));
      assert.equal(inline.scripts, 0, 'no inline <script>');
      assert.equal(inline.styles, 0, 'no <style> element');
      assert.deepEqual(inline.styleAttrs, [], 'no style attribute (the letter body is Markdown without raw HTML)');
      assert.deepEqual(inline.handlers, [], 'no inline event handlers');
      assert.equal(inline.jsLinks, 0);
      // app.css, and on an open letter the proof-of-work widget's stylesheet (issue 15), both ours.
      assert.deepEqual(inline.stylesheets, [`${server.baseUrl}/assets/app.css`, `${server.baseUrl}/assets/altcha.css`], 'our stylesheets apply (not blocked)');

      const fonts = await fontState(page);
      // Drain the event loop of the page once more so late reports (font or style loads) arrive before we look.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
      assert.deepEqual(seen.violations, [], 'no securitypolicyviolation event');
      assert.deepEqual(seen.console.filter((m) => /content security policy|refused to/i.test(m)), [], 'no CSP message in the console');
      assert.deepEqual(seen.console, [], 'no console errors or warnings at all');
      assert.deepEqual(seen.failed, [], 'every resource loaded');

      if (lang === 'fa') {
        assert.ok(fonts.check, `document.fonts.check('16px Vazirmatn'): ${JSON.stringify(fonts)}`);
        assert.ok(fonts.faces.includes('400:loaded'), `Vazirmatn regular loaded: ${fonts.faces}`);
        assert.ok(seen.fonts.some((f) => f === '200 /assets/fonts/Vazirmatn-Regular.woff2'), `served by us: ${seen.fonts}`);
        assert.match(fonts.bodyFont, /^"?Vazirmatn"?/, 'the Persian letter text is set in Vazirmatn');
        assert.match(fonts.htmlFont, /^"?Vazirmatn"?/, 'the Persian page chrome is set in Vazirmatn');
        await screenshot(page, 'csp-fa');
      } else {
        assert.doesNotMatch(fonts.bodyFont, /^"?Vazirmatn/, 'English text is not set in the Persian font');
      }
      await page.close();
    });
  }
});
