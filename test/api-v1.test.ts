/** JSON API v1: the documented shapes, stable error codes, 4xx for every bad input, no email ever returned. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, openLetter, type TestApp } from './support/app.ts';
import { ERROR_CODES } from '../src/core/errors.ts';

const json = (payload: unknown) => ({ payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });

describe('API v1', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    await openLetter(t);
    const { createLetter } = await import('../src/use-cases/create-letter.ts');
    const { faEnLetter } = await import('./support/app.ts');
    await createLetter(t.app.deps, faEnLetter('a-draft'));
  });
  after(() => t.close());

  async function signAndConfirm(body: Record<string, unknown>) {
    const r = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json(body) });
    assert.equal(r.statusCode, 202, r.body);
    await t.flushMail();
    const c = await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({ token: t.mailer.lastToken(String(body.email)) }) });
    assert.equal(c.statusCode, 200, c.body);
    return c.json();
  }

  test('lists published letters only, with counts and URLs', async () => {
    const r = await t.http.inject('/api/v1/letters');
    assert.equal(r.statusCode, 200);
    const { letters } = r.json();
    assert.deepEqual(letters.map((l: { slug: string }) => l.slug), ['albania']);
    assert.deepEqual(letters[0].languages, ['fa', 'en']);
    assert.equal(letters[0].urls.en, 'http://test.local/en/letters/albania');
    assert.equal((await t.http.inject('/api/v1/letters/a-draft')).statusCode, 404);
  });

  test('sign → 202 pending; confirm → counted; list has public fields only', async () => {
    const r = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json({ name: 'Zoe Adams', email: 'zoe@example.org', visibility: 'public', lang: 'en', country: 'gb' }) });
    assert.equal(r.statusCode, 202);
    assert.deepEqual(r.json(), { status: 'pending', held: false, mailDelayed: false });
    assert.equal((await t.http.inject('/api/v1/letters/albania')).json().count, 0, 'pending is not counted');
    await t.flushMail();
    const c = await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({ token: t.mailer.lastToken('zoe@example.org') }) });
    assert.equal(c.statusCode, 200);
    const { receipt, ...rest } = c.json();
    assert.deepEqual(rest, { status: 'confirmed', letter: 'albania', count: 1 });
    assert.match(receipt, /^http:\/\/test\.local\/en\/receipts\/[A-Za-z0-9_-]{20,}$/);
    const letter = (await t.http.inject('/api/v1/letters/albania')).json();
    assert.equal(letter.count, 1);
    assert.equal(letter.versions.length, 2);
    const list = (await t.http.inject('/api/v1/letters/albania/signatures?lang=en')).json();
    assert.equal(list.items.length, 1);
    assert.deepEqual(Object.keys(list.items[0]).sort(), ['confirmedAt', 'country', 'erased', 'id', 'logIndex', 'name', 'nameAlt', 'opening', 'title', 'titleChecked']);
    assert.equal(list.items[0].country, 'GB');
    assert.ok(!JSON.stringify(list).includes('@'));
  });

  test('the same address (any case) is one signature: signing again resends, or mails "already signed"', async () => {
    const letterId = (await t.app.store.letters.bySlug('albania'))!.id;
    await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json({ name: 'Sam', email: 'sam@example.org' }) });
    await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json({ name: 'Sam Typo-Fixed', email: 'SAM@example.org' }) });
    await t.flushMail();
    const toSam = t.mailer.sent.filter((m) => m.to.toLowerCase() === 'sam@example.org');
    assert.equal(toSam.length, 2);
    assert.ok(toSam.every((m) => m.template === 'confirm'));
    const sig = await t.app.store.signatures.byEmail(letterId, 'sam@example.org');
    assert.equal(sig?.name, 'Sam Typo-Fixed', 'the latest details replace the pending ones');
    // The first link no longer works; the second does.
    const first = toSam[0]!.text.match(/token=([\w-]+)/)![1]!;
    assert.equal((await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({ token: first }) })).json().error.code, 'TOKEN_INVALID');
    await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({ token: t.mailer.lastToken('sam@example.org') }) });
    const r = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json({ name: 'Sam', email: 'sam@example.org' }) });
    assert.equal(r.statusCode, 202, 'same answer: the response never reveals that the address signed');
    await t.flushMail();
    assert.equal(t.mailer.sent.at(-1)!.template, 'already-signed');
    const again = await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({ token: t.mailer.lastToken('sam@example.org') }) });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'SIGNATURE_ALREADY_CONFIRMED');
  });

  test('too many confirmation mails to one address stop (mail-bombing guard) without changing the answer', async () => {
    for (let i = 0; i < 8; i++) {
      const r = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json({ name: 'Victim', email: 'victim@example.org' }) });
      assert.equal(r.statusCode, 202);
    }
    await t.flushMail();
    assert.equal(t.mailer.sent.filter((m) => m.to === 'victim@example.org').length, 5);
  });

  test('bad input: stable codes, field paths, never 5xx', async () => {
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['missing name', { email: 'a@example.org' }, 400, 'VALIDATION_FAILED'],
      ['bad email', { name: 'A', email: 'nope' }, 400, 'VALIDATION_FAILED'],
      ['bidi', { name: 'A\u2066B', email: 'a@example.org' }, 400, 'VALIDATION_FAILED'],
      ['too long', { name: 'x'.repeat(151), email: 'a@example.org' }, 400, 'VALIDATION_FAILED'],
      ['bad country', { name: 'A', email: 'a@example.org', country: 'ZZ' }, 400, 'VALIDATION_FAILED'],
      ['bad visibility', { name: 'A', email: 'a@example.org', visibility: 'secret' }, 400, 'VALIDATION_FAILED'],
      ['name not a string', { name: { a: 1 }, email: 'a@example.org' }, 400, 'VALIDATION_FAILED'],
      ['NUL in name', { name: 'A\u0000B', email: 'a@example.org' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [what, body, status, code] of cases) {
      const r = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json(body) });
      assert.equal(r.statusCode, status, `${what}: ${r.body}`);
      assert.equal(r.json().error.code, code, what);
      assert.ok(ERROR_CODES.includes(r.json().error.code));
    }
    const bidi = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json({ name: 'A\u202EB', email: 'a@example.org' }) });
    assert.deepEqual(bidi.json().error.fields, [{ field: 'name', code: 'BIDI_CONTROL' }]);
    const malformed = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', payload: '{"name":', headers: { 'content-type': 'application/json' } });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().error.code, 'VALIDATION_FAILED');
    const form = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', payload: 'name=A&email=a%40example.org', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.statusCode, 415);
    assert.equal(form.json().error.code, 'UNSUPPORTED_MEDIA_TYPE');
    const huge = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json({ name: 'A', email: 'a@example.org', title: 'x'.repeat(40_000) }) });
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().error.code, 'BODY_TOO_LARGE');
    const unknown = await t.http.inject({ method: 'POST', url: '/api/v1/letters/nope/signatures', ...json({ name: 'A', email: 'a@example.org' }) });
    assert.equal(unknown.json().error.code, 'LETTER_NOT_FOUND');
    const draft = await t.http.inject({ method: 'POST', url: '/api/v1/letters/a-draft/signatures', ...json({ name: 'A', email: 'a@example.org' }) });
    assert.equal(draft.statusCode, 409);
    assert.equal(draft.json().error.code, 'LETTER_NOT_OPEN');
    const tok = await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({ token: 'x'.repeat(32) }) });
    assert.equal(tok.json().error.code, 'TOKEN_INVALID');
    const noTok = await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({}) });
    assert.equal(noTok.statusCode, 400);
    const page = await t.http.inject('/api/v1/letters/albania/signatures?page=abc');
    assert.equal(page.statusCode, 400);
    const nf = await t.http.inject('/api/v1/nothing-here');
    assert.equal(nf.statusCode, 404);
    assert.equal(nf.json().error.code, 'NOT_FOUND');
  });

  test('the list is sorted with the requested language collation', async () => {
    for (const [name, email] of [['تینا', 't1@example.org'], ['بهرام', 't2@example.org'], ['پرویز', 't3@example.org'], ['Ali', 't4@example.org']] as const) {
      await signAndConfirm({ name, email, lang: 'fa' });
    }
    t.app.reads.invalidate((await t.app.store.letters.bySlug('albania'))!.id);
    const fa = (await t.http.inject('/api/v1/letters/albania/signatures?lang=fa')).json().items.map((s: { name: string }) => s.name);
    const persian = fa.filter((n: string) => /[\u0600-\u06FF]/.test(n));
    assert.deepEqual(persian, ['بهرام', 'پرویز', 'تینا'], 'پ sorts after ب and before ت (code-point order would put it last)');
  });

  test('public reads carry an ETag: revalidating with If-None-Match gets 304 until the body changes', async () => {
    for (const url of ['/api/v1/letters/albania', '/api/v1/letters/albania/signatures?lang=en', '/api/v1/letters/albania/stats']) {
      const first = await t.http.inject(url);
      assert.equal(first.statusCode, 200);
      const etag = String(first.headers.etag);
      assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
      assert.match(String(first.headers['content-type']), /^application\/json; charset=utf-8/);
      const again = await t.http.inject({ url, headers: { 'if-none-match': `W/"x", ${etag}` } });
      assert.equal(again.statusCode, 304, url);
      assert.equal(again.body, '');
      assert.equal(again.headers['cache-control'], 'public, max-age=2, stale-while-revalidate=4');
      assert.equal((await t.http.inject({ url, headers: { 'if-none-match': '"other"' } })).statusCode, 200);
    }
    const before = (await t.http.inject('/api/v1/letters/albania')).headers.etag;
    await signAndConfirm({ name: 'Etag Eve', email: 'eve.etag@example.org', lang: 'en' });
    const after = await t.http.inject({ url: '/api/v1/letters/albania', headers: { 'if-none-match': String(before) } });
    assert.equal(after.statusCode, 200, 'a confirmation changes the count, so the body and its ETag');
    assert.notEqual(after.headers.etag, before);
  });

  test('OpenAPI document describes the v1 routes', async () => {
    const r = await t.http.inject('/api/openapi.json');
    assert.equal(r.statusCode, 200);
    const doc = r.json();
    assert.equal(doc.openapi, '3.0.3');
    for (const p of ['/api/v1/letters', '/api/v1/letters/{slug}', '/api/v1/letters/{slug}/signatures', '/api/v1/confirmations']) assert.ok(doc.paths[p], p);
    assert.ok(doc.paths['/api/v1/letters/{slug}/signatures'].post);
  });
});

describe('rate limit on signing', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ UNDERSIGNED_RATE_LIMIT: '3' });
    await openLetter(t);
  });
  after(() => t.close());

  test('a flood from one address is told to slow down (429 + Retry-After), never silently dropped', async () => {
    const codes = [];
    for (let i = 0; i < 5; i++) {
      const r = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json({ name: 'F', email: `f${i}@example.org` }) });
      codes.push(r.statusCode);
      if (r.statusCode === 429) {
        assert.equal(r.json().error.code, 'RATE_LIMITED');
        assert.ok(Number(r.headers['retry-after']) > 0);
      }
    }
    assert.deepEqual(codes, [202, 202, 202, 429, 429]);
    // The page form has its own allowance; past it the form comes back filled in with the explanation.
    for (let i = 0; i < 3; i++) await t.http.inject({ method: 'POST', url: '/en/letters/albania/sign', payload: 'name=x&email=x%40example.org', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const page = await t.http.inject({ method: 'POST', url: '/en/letters/albania/sign', payload: 'name=Flood%20Fred&email=fred%40example.org', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(page.statusCode, 429);
    assert.match(page.body, /Too many attempts/);
    assert.match(page.body, /value="Flood Fred"/);
  });
});
