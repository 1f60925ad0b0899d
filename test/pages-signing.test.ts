/** The signing loop through the pages, as a person without JavaScript would use them. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { testApp, openLetter, faEnLetter, Browser, csrfIn, signInOrganiser, type TestApp } from './support/app.ts';

describe('signing through the pages', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    await openLetter(t);
  });
  after(() => t.close());

  test('the Persian page is right-to-left, offers English, and has a sign form that carries nothing of the visitor', async () => {
    const b = new Browser(t.http);
    const res = await b.get('/fa/letters/albania');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<html lang="fa" dir="rtl">/);
    assert.match(res.body, /<article class="letter" lang="fa" dir="rtl">/);
    assert.match(res.body, /hreflang="en" href="http:\/\/test.local\/en\/letters\/albania"/);
    assert.match(res.body, /<a href="\/en\/letters\/albania" hreflang="en" lang="en">English<\/a>/);
    assert.match(res.body, /<strong>ایلیر متا<\/strong>/, 'Markdown rendered');
    assert.match(res.body, /خطاب به: <bdi>ایلیر متا<\/bdi>، <bdi>رئیس‌جمهور آلبانی<\/bdi>/, 'the addressee as this version writes it');
    assert.match(res.body, /<form method="post" action="\/fa\/letters\/albania\/sign" novalidate>/);
    assert.equal(csrfIn(res.body), undefined, 'no per-visitor token in the public page');
    assert.equal(res.headers['set-cookie'], undefined, 'no cookie either');
    const en = await b.get('/en/letters/albania');
    assert.match(en.body, /<html lang="en" dir="ltr">/);
    assert.match(en.body, /To: <bdi>Ilir Meta<\/bdi>, <bdi>President of Albania<\/bdi>/);
  });

  test('an unknown language redirects to a version that exists; an unknown letter is a clear 404', async () => {
    const b = new Browser(t.http);
    const r = await b.get('/de/letters/albania');
    assert.equal(r.statusCode, 302);
    assert.match(String(r.headers.location), /^\/(fa|en)\/letters\/albania$/);
    const nf = await b.get('/en/letters/nope');
    assert.equal(nf.statusCode, 404);
    assert.match(nf.body, /There is no letter at this address/);
    const nfFa = await b.get('/fa/letters/nope');
    assert.match(nfFa.body, /در این نشانی نامه‌ای نیست/);
  });

  test('a draft is not there for the public: signing it through the page is a 404 that shows none of its text', async () => {
    const { createLetter } = await import('../src/use-cases/create-letter.ts');
    await createLetter(t.app.deps, faEnLetter('secret-draft', { versions: [{ lang: 'en', title: 'Unpublished title', body: 'Unpublished words.' }], defaultLang: 'en' }));
    const b = new Browser(t.http);
    assert.equal((await b.get('/en/letters/secret-draft')).statusCode, 404);
    const res = await b.post('/en/letters/secret-draft/sign', { name: 'Zoe Clarke', email: 'zoe@example.org' }, '/en/letters/secret-draft');
    assert.equal(res.statusCode, 404);
    assert.doesNotMatch(res.body, /Unpublished/);
    assert.match(res.body, /There is no letter at this address/);
  });

  test('a validation error brings the form back filled in, with a message in the page language', async () => {
    const b = new Browser(t.http);
    const res = await b.post('/fa/letters/albania/sign', { name: 'مریم رضاي‌زاده', nameAlt: 'Maryam Rezaeizadeh', email: 'not-an-email', title: 'پژوهشگر', country: 'IR', visibility: 'hidden' }, '/fa/letters/albania');
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /یک نشانی ایمیل درست وارد کنید/);
    assert.match(res.body, /value="مریم رضاي‌زاده"/, 'name kept exactly, ZWNJ and Arabic yeh included');
    assert.match(res.body, /value="Maryam Rezaeizadeh"/);
    assert.match(res.body, /value="not-an-email"/);
    assert.match(res.body, /value="پژوهشگر"/);
    assert.match(res.body, /<option value="IR" selected>/);
    assert.match(res.body, /value="hidden" checked/);
    assert.match(res.body, /aria-invalid="true" aria-describedby="email-hint email-error"/);
  });

  test('bidi override characters in a name are refused with a clear message; HTML is kept as text, escaped', async () => {
    const b = new Browser(t.http);
    const res = await b.post('/en/letters/albania/sign', { name: 'Eve \u202Eevil', email: 'eve@example.org' }, '/en/letters/albania');
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /invisible text-direction control characters/);
    const html = await b.post('/en/letters/albania/sign', { name: '<script>alert(1)</script> Bob', email: 'bob@example.org' }, '/en/letters/albania');
    assert.equal(html.statusCode, 303);
    await t.flushMail();
    await b.post('/en/confirm', { token: t.mailer.lastToken('bob@example.org') }, '/en/letters/albania');
    t.app.reads.invalidate((await t.app.store.letters.bySlug('albania'))!.id);
    const page = await b.get('/en/letters/albania');
    assert.ok(!page.body.includes('<script>alert(1)'), 'never rendered as markup');
    assert.match(page.body, /<bdi class="name">&lt;script&gt;alert\(1\)&lt;\/script&gt; Bob<\/bdi>/);
  });

  test('the letter page is one set of bytes for everyone: ETag, 304, shared caching, gzip and brotli of the same page', async () => {
    const a = await new Browser(t.http).get('/fa/letters/albania');
    const organiser = new Browser(t.http);
    await signInOrganiser(t, organiser, 'organiser@example.org');
    assert.ok(organiser.cookies.size > 0, 'a real organiser session');
    const b = await organiser.get('/fa/letters/albania');
    assert.equal(a.statusCode, 200);
    assert.equal(a.body, b.body, 'byte-identical for two visitors');
    const etag = String(a.headers.etag);
    assert.match(etag, /^"[A-Za-z0-9_-]+"$/, 'a strong ETag');
    assert.equal(b.headers.etag, etag);
    assert.match(String(a.headers['cache-control']), /^public, max-age=\d+, s-maxage=\d+, stale-while-revalidate=\d+$/);
    assert.equal(a.headers.vary, 'Accept-Encoding');
    assert.equal(a.headers['content-encoding'], undefined);
    // The security headers are there as on every page.
    assert.match(String(a.headers['content-security-policy']), /(^|;)script-src 'self'(;|$)/);
    assert.match(String(a.headers['content-security-policy']), /(^|;)frame-ancestors 'none'(;|$)/);
    assert.equal(a.headers['x-content-type-options'], 'nosniff');
    assert.equal(a.headers['referrer-policy'], 'same-origin', 'no referrer leaves for another site');

    const again = await new Browser(t.http).get('/fa/letters/albania', { 'if-none-match': etag });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, etag);

    const br = await t.http.inject({ method: 'GET', url: '/fa/letters/albania', headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(br.rawPayload).toString(), a.body);
    assert.notEqual(br.headers.etag, etag, 'each coding has its own strong ETag');
    assert.equal((await t.http.inject({ method: 'GET', url: '/fa/letters/albania', headers: { 'accept-encoding': 'gzip, deflate, br', 'if-none-match': String(br.headers.etag) } })).statusCode, 304);
    const gz = await t.http.inject({ method: 'GET', url: '/fa/letters/albania', headers: { 'accept-encoding': 'gzip, br;q=0' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.rawPayload).toString(), a.body);
    assert.equal((await t.http.inject({ method: 'GET', url: '/fa/letters/albania', headers: { 'accept-encoding': 'identity' } })).headers['content-encoding'], undefined);

    // A change of what the page shows is a new page with a new ETag.
    const letter = (await t.app.store.letters.bySlug('albania'))!;
    const { sign } = await import('../src/use-cases/sign.ts');
    const { confirm } = await import('../src/use-cases/confirm.ts');
    await sign(t.app.deps, 'albania', { name: 'Etag Person', email: 'etag@example.org', lang: 'fa' });
    await t.flushMail();
    await confirm(t.app.deps, t.mailer.lastToken('etag@example.org'));
    t.app.reads.invalidate(letter.id);
    const changed = await new Browser(t.http).get('/fa/letters/albania', { 'if-none-match': etag });
    assert.equal(changed.statusCode, 200);
    assert.notEqual(changed.headers.etag, etag);
    assert.match(changed.body, /<bdi class="name">Etag Person<\/bdi>/);
  });

  test('a form sent from another site is refused, and comes back filled in with a clear message', async () => {
    const b = new Browser(t.http);
    const letter = (await t.app.store.letters.bySlug('albania'))!;
    const form = { name: 'Carol', nameAlt: 'کارول', email: 'carol@example.org', country: 'DE', visibility: 'hidden' };
    const cases = [
      { secFetchSite: 'cross-site', origin: 'https://evil.example' },
      { secFetchSite: 'same-site', origin: 'http://other.test.local' },
      // Browsers from before Sec-Fetch-Site: Origin is compared with the configured origin, never the Host asked for.
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'http://localhost:80' },
      { origin: 'https://test.local' },
    ];
    for (const from of cases) {
      const res = await b.post('/en/letters/albania/sign', form, undefined, from);
      assert.equal(res.statusCode, 403, JSON.stringify(from));
      assert.match(res.body, /This form was sent from another website, so nothing was done/);
      assert.match(res.body, /value="Carol"/);
      assert.match(res.body, /value="کارول"/);
      assert.match(res.body, /<option value="DE" selected>/);
      assert.match(res.body, /value="hidden" checked/);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(await t.app.store.signatures.byEmail(letter.id, 'carol@example.org'), undefined, JSON.stringify(from));
    }
    const fa = await b.post('/fa/letters/albania/sign', form, undefined, { secFetchSite: 'cross-site', origin: 'https://evil.example' });
    assert.equal(fa.statusCode, 403);
    assert.match(fa.body, /این فرم از وبگاه دیگری فرستاده شده بود/);
    assert.match(fa.body, /value="Carol"/);
    assert.equal(await t.app.store.signatures.byEmail(letter.id, 'carol@example.org'), undefined);
  });

  test('forms from our own pages, typed-in requests and clients that are not browsers are accepted', async () => {
    const b = new Browser(t.http);
    const letter = (await t.app.store.letters.bySlug('albania'))!;
    const cases: { from: Parameters<Browser['post']>[3]; email: string }[] = [
      { from: 'same-origin', email: 'own-page@example.org' },
      { from: { secFetchSite: 'none' }, email: 'typed@example.org' },
      { from: {}, email: 'script@example.org' },
      // An old browser: Origin is the base URL's origin.
      { from: { origin: 'http://test.local' }, email: 'old-base@example.org' },
    ];
    for (const { from, email } of cases) {
      const res = await b.post('/en/letters/albania/sign', { name: 'Fine Person', email }, undefined, from);
      assert.equal(res.statusCode, 303, `${JSON.stringify(from)}: ${res.body.slice(0, 200)}`);
      assert.ok(await t.app.store.signatures.byEmail(letter.id, email));
    }
  });

  test('confirming from another site is refused, and the confirmation page comes back with its button', async () => {
    const b = new Browser(t.http);
    const letter = (await t.app.store.letters.bySlug('albania'))!;
    await b.post('/en/letters/albania/sign', { name: 'Cross Confirm', email: 'cross-confirm@example.org' });
    await t.flushMail();
    const token = t.mailer.lastToken('cross-confirm@example.org');
    const res = await b.post('/en/confirm', { token }, undefined, { secFetchSite: 'cross-site', origin: 'https://evil.example' });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /sent from another website/);
    assert.match(res.body, /<form method="post" action="\/en\/confirm"><input type="hidden" name="token" value="[A-Za-z0-9_-]+">/);
    assert.equal((await t.app.store.signatures.byEmail(letter.id, 'cross-confirm@example.org'))?.status, 'pending');
    const ok = await b.post('/en/confirm', { token });
    assert.equal(ok.statusCode, 200);
    assert.equal((await t.app.store.signatures.byEmail(letter.id, 'cross-confirm@example.org'))?.status, 'confirmed');
  });

  test('sign → mail → GET on the link changes nothing → POST confirms → counted and listed', async () => {
    const b = new Browser(t.http);
    const letter = (await t.app.store.letters.bySlug('albania'))!;
    const before = await t.app.store.signatures.countConfirmed(letter.id);
    const res = await b.post('/fa/letters/albania/sign', { name: 'مریم رضاي‌زاده', email: 'Maryam@Example.org', country: 'IR' }, '/fa/letters/albania');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/fa/letters/albania/thanks');
    await t.flushMail();
    const mail = t.mailer.sent.at(-1)!;
    // The address as stored: the local part as typed, the domain in lower case (IDNA form).
    assert.equal(mail.to, 'Maryam@example.org');
    assert.equal(mail.lang, 'fa');
    assert.match(mail.subject, /امضای خود را تأیید کنید/);
    const link = mail.text.match(/http:\/\/test\.local\/fa\/confirm\?token=[A-Za-z0-9_-]+/)![0];
    const path = link.replace('http://test.local', '');
    const get = await b.get(path);
    assert.equal(get.statusCode, 200);
    assert.match(get.body, /<form method="post" action="\/fa\/confirm">/);
    assert.equal(await t.app.store.signatures.countConfirmed(letter.id), before, 'GET confirms nothing');
    const post = await b.post('/fa/confirm', { token: path.split('token=')[1]! });
    assert.equal(post.statusCode, 200);
    assert.match(post.body, /امضای شما تأیید شد/);
    assert.equal(await t.app.store.signatures.countConfirmed(letter.id), before + 1);
    const page = await b.get('/fa/letters/albania');
    assert.match(page.body, /<bdi class="name">مریم رضاي‌زاده<\/bdi>/);
    assert.match(page.body, new RegExp(`${new Intl.NumberFormat('fa').format(before + 1)} امضا`), 'count in Persian digits');
    assert.ok(!page.body.includes('Maryam@Example.org') && !page.body.toLowerCase().includes('maryam@example.org'), 'no email on the public page');
    // The used link now says so.
    const again = await b.post('/fa/confirm', { token: path.split('token=')[1]! }, '/fa/letters/albania');
    assert.match(again.body, /پیش‌تر تأیید شده/);
  });

  test('an expired link explains itself and offers a new one by POST', async () => {
    const b = new Browser(t.http);
    await b.post('/en/letters/albania/sign', { name: 'Dan Late', email: 'dan@example.org' }, '/en/letters/albania');
    await t.flushMail();
    const token = t.mailer.lastToken('dan@example.org');
    t.clock.advance(8 * 24 * 3600 * 1000);
    const res = await b.post('/en/confirm', { token }, `/en/confirm?token=${token}`);
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /has expired/);
    assert.match(res.body, /action="\/en\/confirm\/renew"/);
    const renew = await b.post('/en/confirm/renew', { token });
    assert.match(renew.body, /A new link is on its way/);
    await t.flushMail();
    const fresh = t.mailer.lastToken('dan@example.org');
    assert.notEqual(fresh, token);
    const ok = await b.post('/en/confirm', { token: fresh }, `/en/confirm?token=${fresh}`);
    assert.equal(ok.statusCode, 200);
    t.clock.advance(-8 * 24 * 3600 * 1000);
  });

  test('a hidden signature is counted but never listed', async () => {
    const b = new Browser(t.http);
    const letter = (await t.app.store.letters.bySlug('albania'))!;
    const n = await t.app.store.signatures.countConfirmed(letter.id);
    await b.post('/en/letters/albania/sign', { name: 'Hidden Person', email: 'hidden@example.org', visibility: 'hidden' }, '/en/letters/albania');
    await t.flushMail();
    const tok = t.mailer.lastToken('hidden@example.org');
    await b.post('/en/confirm', { token: tok }, `/en/confirm?token=${tok}`);
    assert.equal(await t.app.store.signatures.countConfirmed(letter.id), n + 1);
    t.app.reads.invalidate(letter.id);
    const page = await b.get('/en/letters/albania');
    assert.ok(!page.body.includes('Hidden Person'));
    assert.match(page.body, /asked not to be listed/);
    const api = await t.http.inject({ method: 'GET', url: '/api/v1/letters/albania/signatures?lang=en' });
    assert.ok(!api.body.includes('Hidden Person'));
  });

  test('signing a closed letter is refused with the form kept', async () => {
    const b = new Browser(t.http);
    await openLetter(t, 'closed-one');
    const { setLetterState } = await import('../src/use-cases/edit-letter.ts');
    await b.get('/en/letters/closed-one');
    await setLetterState(t.app.deps, 'closed-one', 'closed', undefined);
    const res = await b.post('/en/letters/closed-one/sign', { name: 'Late Larry', email: 'larry@example.org' });
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /closed to new signatures/);
  });
});

describe('deep list pages', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    const letter = await openLetter(t, 'many');
    const { loadSignatures } = await import('../bench/load.ts');
    await loadSignatures(t.app.store as Parameters<typeof loadSignatures>[0], { letterId: letter.id, count: 250 });
    t.app.reads.invalidate(letter.id);
  });
  after(() => t.close());

  test('each list page is its own page: gzip of the same bytes, its own ETag and 304, names in <bdi>, Persian digits', async () => {
    const p2 = await t.http.inject({ method: 'GET', url: '/fa/letters/many?page=2' });
    assert.equal(p2.statusCode, 200);
    assert.match(p2.body, /<ol class="names" start="101">/);
    assert.equal([...p2.body.matchAll(/<li><bdi class="name">/g)].length, 100);
    assert.match(p2.body, /<span>صفحهٔ ۲ از ۳<\/span>/, 'pager in Persian words and digits');
    assert.match(String(p2.headers['cache-control']), /^public, /);
    const gz = await t.http.inject({ method: 'GET', url: '/fa/letters/many?page=2', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(gz.headers['content-encoding'], 'gzip', 'deep pages are offered in gzip');
    assert.equal(gunzipSync(gz.rawPayload).toString(), p2.body);
    assert.equal(gz.headers.vary, 'Accept-Encoding');
    assert.equal((await t.http.inject({ method: 'GET', url: '/fa/letters/many?page=2', headers: { 'accept-encoding': 'gzip', 'if-none-match': String(gz.headers.etag) } })).statusCode, 304);
    const p3 = await t.http.inject({ method: 'GET', url: '/fa/letters/many?page=3' });
    assert.notEqual(p3.headers.etag, p2.headers.etag);
    assert.match(p3.body, /<ol class="names" start="201">/);
    // Out of range and nonsense clamp to a real page.
    assert.equal((await t.http.inject({ method: 'GET', url: '/fa/letters/many?page=999' })).body, p3.body);
    assert.equal((await t.http.inject({ method: 'GET', url: '/fa/letters/many?page=abc' })).body, (await t.http.inject({ method: 'GET', url: '/fa/letters/many' })).body);
  });
});
