/**
 * Embed and badge: the embed page may be framed by another site (and only it: the letter page refuses frames),
 * shows the count and progress and opens the letter to sign; the badge is an SVG of the count other sites may load.
 * In Debian chromium, a page of another origin frames both and only the embed renders.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { faEnLetter } from '../support/app.ts';
import { launchChromium, screenshot, signAndConfirmViaApi, startServer, type LiveServer } from '../support/browser.ts';

describe('embed and badge', () => {
  let server: LiveServer;
  let browser: Browser;
  let other: Server;
  let otherUrl = '';
  before(async () => {
    server = await startServer();
    await createLetter(server.app.deps, faEnLetter('albania'), { publish: true });
    await signAndConfirmViaApi(server, 'albania', { name: 'Zoe Adams', email: 'zoe@example.org', lang: 'en' });
    await signAndConfirmViaApi(server, 'albania', { name: 'مریم رضاي\u200cزاده', email: 'maryam@example.org', lang: 'fa' });
    browser = await launchChromium();
    // Another site, on another origin, that frames the letter page and the embed.
    other = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html><body>
<iframe id="embed" src="${server.baseUrl}/fa/letters/albania/embed" width="360" height="190"></iframe>
<iframe id="page" src="${server.baseUrl}/fa/letters/albania" width="360" height="190"></iframe>
<img id="badge" src="${server.baseUrl}/letters/albania/badge.svg">
</body></html>`);
    });
    await new Promise<void>((r) => other.listen(0, 'localhost', r));
    const addr = other.address();
    otherUrl = `http://localhost:${typeof addr === 'object' && addr ? addr.port : 0}/`;
  });
  after(async () => {
    await browser?.close();
    other?.close();
    await server?.close();
  });

  test('the embed page: count, progress, a sign link opening the letter; frameable; cached with an ETag', async () => {
    const r = await fetch(`${server.baseUrl}/fa/letters/albania/embed`);
    assert.equal(r.status, 200);
    const body = await r.text();
    assert.match(body, /<html lang="fa" dir="rtl">/);
    assert.ok(body.includes('۲ امضا'), 'the count in Persian digits');
    assert.match(body, /<progress max="100" value="2">/);
    assert.ok(body.includes(`href="${server.baseUrl}/fa/letters/albania#sign-heading" target="_blank"`));
    assert.ok(!/<script|<form/.test(body), 'no script, no form');
    assert.match(r.headers.get('content-security-policy')!, /frame-ancestors \*/);
    assert.equal(r.headers.get('x-frame-options'), null);
    const again = await fetch(`${server.baseUrl}/fa/letters/albania/embed`, { headers: { 'if-none-match': r.headers.get('etag')! } });
    assert.equal(again.status, 304);
    const page = await fetch(`${server.baseUrl}/fa/letters/albania`);
    assert.match(page.headers.get('content-security-policy')!, /frame-ancestors 'none'/, 'the letter page itself refuses frames');
  });

  test('the badge: an SVG of the count in the letter\'s language or the one asked for, loadable from other sites', async () => {
    const fa = await fetch(`${server.baseUrl}/letters/albania/badge.svg`);
    assert.equal(fa.status, 200);
    assert.match(fa.headers.get('content-type')!, /^image\/svg\+xml/);
    assert.equal(fa.headers.get('cross-origin-resource-policy'), 'cross-origin');
    const svg = await fa.text();
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(svg.includes('>۲</text>'), 'the letter\'s default language: Persian digits');
    const en = await (await fetch(`${server.baseUrl}/letters/albania/badge.svg?lang=en`)).text();
    assert.ok(en.includes('>2</text>') && en.includes('Signatures'));
    assert.equal((await fetch(`${server.baseUrl}/letters/nothing/badge.svg`)).status, 404);
  });

  test('in chromium, another site frames the embed (it renders) but not the letter page; the badge loads', async () => {
    const ctx = await browser.newContext({ viewport: { width: 800, height: 500 } });
    const page = await ctx.newPage();
    await page.goto(otherUrl);
    await page.waitForLoadState('load');
    const embed = page.frames().find((f) => f.url().endsWith('/fa/letters/albania/embed'));
    assert.ok(embed, 'the embed frame loaded');
    assert.ok((await embed.textContent('.count'))?.includes('۲'));
    const blocked = page.frames().find((f) => f.url().endsWith('/fa/letters/albania'));
    const text = blocked ? await blocked.evaluate('document.body ? document.body.innerText : ""').catch(() => '') : '';
    assert.ok(!String(text).includes('امضا'), 'the letter page did not render in a frame');
    const badgeWidth = await page.evaluate('document.getElementById("badge").naturalWidth');
    assert.ok(Number(badgeWidth) > 20, 'the badge loaded as an image');
    await screenshot(page, '13-embed-framed');
    await ctx.close();
  });
});
