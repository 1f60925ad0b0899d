/**
 * Sharing without trackers: the letter page's OpenGraph and Twitter card tags, the 1200×630 PNG card (drawn by
 * Debian chromium, Persian shaped right to left), plain share links with no third-party script, the Mastodon redirect
 * to the sharer's own server, and the links offered after confirming.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLetter, testApp, type TestApp } from '../support/app.ts';
import { SCREENSHOTS } from '../support/browser.ts';

const json = (payload: unknown) => ({ payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });

function pngSize(b: Buffer): { width: number; height: number } {
  assert.equal(b.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG signature');
  assert.equal(b.subarray(12, 16).toString(), 'IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('sharing', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    await openLetter(t);
  });
  after(() => t.close());

  test('the letter page carries OpenGraph and Twitter card tags and plain share links, no third-party script', async () => {
    const r = await t.http.inject('/fa/letters/albania');
    assert.equal(r.statusCode, 200);
    const page = r.body;
    assert.match(page, /<meta property="og:title" content="نامهٔ سرگشاده به رئیس‌جمهور آلبانی">/);
    assert.match(page, /<meta property="og:image" content="http:\/\/test\.local\/fa\/letters\/albania\/card\.png">/);
    assert.match(page, /<meta property="og:url" content="http:\/\/test\.local\/fa\/letters\/albania">/);
    assert.match(page, /<meta name="twitter:card" content="summary_large_image">/);
    assert.match(page, /<meta property="og:description" content="خطاب به: ایلیر متا/);
    for (const host of ['https://t.me/share/url?', 'https://wa.me/?text=', 'https://x.com/intent/post?', 'mailto:?subject=']) assert.ok(page.includes(host), host);
    assert.ok(page.includes('action="/fa/letters/albania/share/mastodon"'));
    assert.ok(page.includes('href="/fa/letters/albania.pdf"'));
    const scripts = [...page.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(scripts.every((s) => s.startsWith('/')), `only our own scripts: ${scripts.join(', ')}`);
    assert.ok(!/<img[^>]+src="https?:/.test(page), 'no third-party image (tracking pixel)');
    const en = (await t.http.inject('/en/letters/albania')).body;
    assert.match(en, /<meta property="og:title" content="Open letter to the President of Albania">/);
  });

  test('the card is a 1200×630 PNG per language, kept per data version', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const lang of ['fa', 'en']) {
      const r = await t.http.inject(`/${lang}/letters/albania/card.png`);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers['content-type'], 'image/png');
      assert.deepEqual(pngSize(r.rawPayload), { width: 1200, height: 630 });
      writeFileSync(join(SCREENSHOTS, `13-card-${lang}.png`), r.rawPayload);
      const again = await t.http.inject({ url: `/${lang}/letters/albania/card.png`, headers: { 'if-none-match': String(r.headers.etag) } });
      assert.equal(again.statusCode, 304);
    }
    assert.equal((await t.http.inject('/de/letters/albania/card.png')).statusCode, 404);
    assert.equal((await t.http.inject('/fa/letters/nothing/card.png')).statusCode, 404);
  });

  test('Mastodon: to the sharer\'s own server\'s /share page with the letter\'s text; anything but a host name is refused', async () => {
    const r = await t.http.inject('/en/letters/albania/share/mastodon?instance=https://Mastodon.Social/');
    assert.equal(r.statusCode, 303);
    const to = new URL(String(r.headers.location));
    assert.equal(to.origin, 'https://mastodon.social');
    assert.equal(to.pathname, '/share');
    assert.match(to.searchParams.get('text')!, /^Open letter to the President of Albania — 0 signatures http:\/\/test\.local\/en\/letters\/albania$/);
    assert.equal(new URL(String((await t.http.inject('/en/letters/albania/share/mastodon?instance=%40zoe%40social.example')).headers.location)).host, 'social.example');
    for (const bad of ['javascript:alert(1)', '', 'localhost', '..', 'a b.example']) {
      const x = await t.http.inject(`/en/letters/albania/share/mastodon?instance=${encodeURIComponent(bad)}`);
      assert.equal(x.statusCode, 400, `${bad}: ${x.statusCode}`);
    }
  });

  test('after confirming, the signer is offered the share links', async () => {
    const r = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json({ name: 'Zoe Adams', email: 'zoe@example.org', lang: 'en', visibility: 'public' }) });
    assert.equal(r.statusCode, 202);
    await t.flushMail();
    const done = await t.http.inject({
      method: 'POST',
      url: '/en/confirm',
      payload: `token=${t.mailer.lastToken('zoe@example.org')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', origin: 'http://test.local' },
    });
    assert.equal(done.statusCode, 200, done.body);
    assert.ok(done.body.includes('https://t.me/share/url?'));
    assert.ok(done.body.includes('%E2%80%94%201%20signature'), 'the count in the shared text');
  });
});
