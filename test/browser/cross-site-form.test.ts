/**
 * Browser story, in Debian's chromium: another site (here `localhost`, while the letter is served on `127.0.0.1`: two
 * different sites) holds a copy of our sign form and makes the visitor submit it. Chromium marks the post
 * `Sec-Fetch-Site: cross-site`; nothing is signed, and the visitor lands on our page with what was sent filled in and
 * an explanation. The same form on our own page signs (ADR 0003).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Browser, BrowserContext } from 'playwright-core';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { launchChromium, startServer, type LiveServer } from '../support/browser.ts';

const SLUG = 'cross-site-check';
let server: LiveServer;
let browser: Browser;
let ctx: BrowserContext;
let evil: Server;
let evilUrl: string;

describe('a form submitted from another site (chromium)', { timeout: 120_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchChromium();
    ctx = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    await createLetter(
      server.app.deps,
      { slug: SLUG, addressee: { name: 'Ilir Meta' }, defaultLang: 'en', versions: [{ lang: 'en', title: 'Open letter', body: 'The text.' }] },
      { publish: true },
    );
    const action = `${server.baseUrl}/en/letters/${SLUG}/sign`;
    evil = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Win a prize</title><form method="post" action="${action}">
<input name="name" value="Forged Name"><input name="email" value="victim@example.org"><input name="country" value="DE">
<button type="submit">Claim</button></form>`);
    });
    await new Promise<void>((r) => evil.listen(0, 'localhost', () => r()));
    const addr = evil.address();
    evilUrl = `http://localhost:${typeof addr === 'object' && addr ? addr.port : 0}/`;
  });

  after(async () => {
    await ctx?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await new Promise((r) => evil?.close(r));
    await server?.close();
  });

  test('refused with the form filled in; nothing signed; the same form on our page signs', { timeout: 60_000 }, async () => {
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(evilUrl);
    const [post] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith(`/en/letters/${SLUG}/sign`) && r.method() === 'POST'),
      page.click('button[type=submit]'),
    ]);
    const sent = await post.allHeaders();
    assert.equal(sent['sec-fetch-site'], 'cross-site', 'chromium says where the form came from');
    const res = await post.response();
    assert.equal(res?.status(), 403);
    await page.waitForURL(`${server.baseUrl}/en/letters/${SLUG}/sign`);
    assert.match((await page.locator('#error-summary').textContent()) ?? '', /sent from another website, so nothing was done/);
    assert.equal(await page.inputValue('#name'), 'Forged Name', 'what was sent comes back, for the visitor to see');
    assert.equal(await page.inputValue('#email'), 'victim@example.org');
    const letter = (await server.app.store.letters.bySlug(SLUG))!;
    assert.equal(await server.app.store.signatures.byEmail(letter.id, 'victim@example.org'), undefined, 'nothing signed');

    // The visitor, now on our page, may send it themselves: a same-origin post, accepted.
    await page.fill('#name', 'Real Person');
    await page.click('section.sign button[type=submit]');
    await page.waitForURL(`${server.baseUrl}/en/letters/${SLUG}/thanks`);
    assert.equal((await server.app.store.signatures.byEmail(letter.id, 'victim@example.org'))?.name, 'Real Person');
    await page.close();
  });
});
