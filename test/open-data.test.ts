/**
 * Open data: the public list as CSV (UTF-8 with BOM, public fields only, names exactly as typed, formula-looking
 * fields defused, sorted as the language sorts) and the hourly series as CSV; both in OpenAPI, both with ETags.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openLetter, testApp, type TestApp } from './support/app.ts';
import { csvField } from '../src/adapters/http/api/v1/open-data.ts';

const json = (payload: unknown) => ({ payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });

describe('open data', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    await openLetter(t);
    const people = [
      { name: 'مریم رضاي\u200cزاده', email: 'maryam@example.org', lang: 'fa', country: 'IR', title: 'پژوهشگر، دانشگاه' },
      { name: 'Zoe "Zed" Adams', email: 'zoe@example.org', lang: 'en', nameAlt: 'زوئی' },
      { name: '=HYPERLINK(A1, "prize")', email: 'evil@example.org', lang: 'en' },
      { name: 'Hidden Person', email: 'hidden@example.org', lang: 'en', visibility: 'hidden' },
    ];
    for (const p of people) {
      await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json({ visibility: 'public', ...p }) });
      await t.flushMail();
      await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({ token: t.mailer.lastToken(p.email) }) });
      t.clock.advance(3600_000);
    }
    await t.app.drainLog();
  });
  after(() => t.close());

  test('csvField: RFC 4180 quoting, formulas defused', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('=1+1'), "'=1+1");
    assert.equal(csvField('-x'), "'-x");
    assert.equal(csvField(undefined), '');
    assert.equal(csvField(7), '7');
  });

  test('signatures.csv: BOM, header, public rows only, names as typed, sorted for the language', async () => {
    const r = await t.http.inject('/api/v1/letters/albania/signatures.csv?lang=en');
    assert.equal(r.statusCode, 200, r.body);
    assert.match(String(r.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.equal(r.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf', 'UTF-8 byte order mark');
    const lines = r.rawPayload.toString('utf8').slice(1).trimEnd().split('\r\n');
    assert.equal(lines[0], 'name,name_alt,title,country,confirmed_at,log_index');
    assert.equal(lines.length, 4, 'three public signatures; the hidden one is not there');
    const body = lines.join('\n');
    assert.ok(body.includes('مریم رضاي\u200cزاده,,پژوهشگر، دانشگاه,IR,'), 'ZWNJ and Arabic yeh kept (the Persian comma needs no quotes)');
    assert.ok(body.includes('"Zoe ""Zed"" Adams",زوئی,,,'));
    assert.ok(body.includes(`"'=HYPERLINK(A1, ""prize"")"`), 'the formula is text');
    assert.ok(!body.includes('Hidden Person') && !body.includes('@example.org'));
    assert.ok(lines.slice(1).every((l) => /,\d+$/.test(l)), 'each row has its log index');
    const again = await t.http.inject({ url: '/api/v1/letters/albania/signatures.csv?lang=en', headers: { 'if-none-match': String(r.headers.etag) } });
    assert.equal(again.statusCode, 304);
    const fa = (await t.http.inject('/api/v1/letters/albania/signatures.csv?lang=fa')).rawPayload.toString('utf8');
    assert.ok(fa.indexOf('مریم') < fa.indexOf('Zoe'), 'Persian order puts the Persian name before the Latin ones');
    const en = r.rawPayload.toString('utf8');
    assert.ok(en.indexOf('Zoe') < en.indexOf('مریم'), 'English order the other way round');
    assert.equal((await t.http.inject('/api/v1/letters/nothing/signatures.csv')).statusCode, 404);
  });

  test('hourly.csv: the hours with their counts and running total, hidden signatures counted', async () => {
    const r = await t.http.inject('/api/v1/letters/albania/hourly.csv');
    assert.equal(r.statusCode, 200);
    const lines = r.body.trimEnd().split('\r\n');
    assert.deepEqual(lines, [
      'hour,count,total',
      '2026-03-01T10:00:00Z,1,1',
      '2026-03-01T11:00:00Z,1,2',
      '2026-03-01T12:00:00Z,1,3',
      '2026-03-01T13:00:00Z,1,4',
    ]);
  });

  test('both are in OpenAPI as text/csv', async () => {
    const doc = (await t.http.inject('/api/openapi.json')).json();
    for (const p of ['/api/v1/letters/{slug}/signatures.csv', '/api/v1/letters/{slug}/hourly.csv']) {
      assert.ok(doc.paths[p]?.get?.responses?.['200']?.content?.['text/csv'], p);
    }
  });
});
