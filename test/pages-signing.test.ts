/** The signing loop through the pages, as a person without JavaScript would use them. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, openLetter, Browser, csrfFrom, type TestApp } from './support/app.ts';

describe('signing through the pages', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    await openLetter(t);
  });
  after(() => t.close());

  test('the Persian page is right-to-left, offers English, and has a sign form with a CSRF token', async () => {
    const b = new Browser(t.http);
    const res = await b.get('/fa/letters/albania');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<html lang="fa" dir="rtl">/);
    assert.match(res.body, /<article class="letter" lang="fa" dir="rtl">/);
    assert.match(res.body, /hreflang="en" href="http:\/\/test.local\/en\/letters\/albania"/);
    assert.match(res.body, /<a href="\/en\/letters\/albania" hreflang="en" lang="en">English<\/a>/);
    assert.match(res.body, /<strong>ایلیر متا<\/strong>/, 'Markdown rendered');
    assert.match(res.body, /خطاب به: <bdi>ایلیر متا<\/bdi>، <bdi>رئیس‌جمهور آلبانی<\/bdi>/, 'the addressee as this version writes it');
    assert.ok(csrfFrom(res.body).length > 10);
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

  test('a form without its CSRF token is refused, and comes back filled in', async () => {
    const b = new Browser(t.http);
    await b.get('/en/letters/albania');
    const res = await b.post('/en/letters/albania/sign', { _csrf: 'forged', name: 'Carol', email: 'carol@example.org' });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /This form has expired/);
    assert.match(res.body, /value="Carol"/);
    assert.equal(await t.app.store.signatures.byEmail((await t.app.store.letters.bySlug('albania'))!.id, 'carol@example.org'), undefined);
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
    assert.equal(mail.to, 'Maryam@Example.org');
    assert.equal(mail.lang, 'fa');
    assert.match(mail.subject, /امضای خود را تأیید کنید/);
    const link = mail.text.match(/http:\/\/test\.local\/fa\/confirm\?token=[A-Za-z0-9_-]+/)![0];
    const path = link.replace('http://test.local', '');
    const get = await b.get(path);
    assert.equal(get.statusCode, 200);
    assert.match(get.body, /<form method="post" action="\/fa\/confirm">/);
    assert.equal(await t.app.store.signatures.countConfirmed(letter.id), before, 'GET confirms nothing');
    const post = await b.post('/fa/confirm', { token: path.split('token=')[1]!, _csrf: csrfFrom(get.body) });
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
    const renew = await b.post('/en/confirm/renew', { token, _csrf: csrfFrom(res.body) });
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
    const csrfPage = await b.get('/en/letters/closed-one');
    await setLetterState(t.app.deps, 'closed-one', 'closed', undefined);
    const res = await b.post('/en/letters/closed-one/sign', { name: 'Late Larry', email: 'larry@example.org', _csrf: csrfFrom(csrfPage.body) });
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /closed to new signatures/);
  });
});
