/**
 * The letter as a PDF, drawn by Debian chromium: read back with pdftotext it holds every public name exactly as
 * typed (Persian with ZWNJ and Arabic yeh, Latin, markup as text), the count, the Persian date and digits, and the
 * checkpoint it was made from; hidden names are not in it. Pages are screenshotted with pdftoppm.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLetter, testApp, type TestApp } from '../support/app.ts';
import { SCREENSHOTS } from '../support/browser.ts';
import { toBase64 } from '../../src/core/log/index.ts';

const json = (payload: unknown) => ({ payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });

const PEOPLE = [
  { name: 'مریم رضاي\u200cزاده', email: 'maryam@example.org', lang: 'fa', title: 'پژوهشگر', country: 'IR' },
  { name: 'علی\u200cرضا کریمی', email: 'alireza@example.org', lang: 'fa', nameAlt: 'Alireza Karimi' },
  { name: 'Zoe Adams', email: 'zoe@example.org', lang: 'en', title: 'Teacher', country: 'GB' },
  { name: 'Émile <b>Zola</b> & Co', email: 'emile@example.org', lang: 'en' },
];
const HIDDEN = { name: 'Hidden Person', email: 'hidden@example.org', lang: 'en', visibility: 'hidden' };

function pdfText(bytes: Buffer, name: string): string {
  const file = join(SCREENSHOTS, '..', `${name}.pdf`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(file, bytes);
  // pdftotext marks right-to-left runs with embedding controls (U+202A–U+202C), which names never hold.
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/[\u202a-\u202e]/g, '');
}

describe('the letter as a PDF', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    await openLetter(t);
    for (const p of [...PEOPLE, HIDDEN]) {
      const r = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json({ visibility: 'public', ...p }) });
      assert.equal(r.statusCode, 202, r.body);
      await t.flushMail();
      const c = await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({ token: t.mailer.lastToken(p.email) }) });
      assert.equal(c.statusCode, 200, c.body);
    }
    await t.app.drainLog();
  });
  after(() => t.close());

  test('fa: every public name exactly as typed, Persian date and digits, the checkpoint', async () => {
    const r = await t.http.inject('/fa/letters/albania.pdf');
    assert.equal(r.statusCode, 200, r.body);
    assert.match(String(r.headers['content-type']), /^application\/pdf/);
    assert.ok(r.rawPayload.subarray(0, 5).toString() === '%PDF-');
    const text = pdfText(r.rawPayload, '13-letter-fa');
    for (const p of PEOPLE) assert.ok(text.includes(p.name), `${p.name} in the fa PDF`);
    assert.ok(text.includes('Alireza Karimi'));
    assert.ok(!text.includes('Hidden Person'), 'hidden names stay out');
    assert.ok(!text.includes('@example.org'), 'no email in the PDF');
    // The title (pdftotext gives ه and its hamza mark in another order, so the words after it).
    assert.ok(text.includes('سرگشاده به رئیس‌جمهور آلبانی'));
    assert.ok(text.includes('ایلیر متا'), 'the addressee as written in Persian');
    // 1 March 2026 is 10 Esfand 1404 in the Solar Hijri calendar.
    assert.match(text, /۱۰\s*اسفند\s*۱۴۰۴/, 'the date in the Solar Hijri calendar with Persian digits');
    assert.match(text, /۵\s*نفر/, 'the count in Persian digits');
    const state = (await t.app.store.log.state())!;
    assert.equal(r.headers['x-log-tree-size'], String(state.size));
    assert.ok(text.includes(`tree size ${state.size}`));
    // pdftotext orders a page's lines by its main direction, and may put the hash's closing '=' (a neutral) first on
    // this right-to-left page: the hash's letters and digits must be there, in order.
    assert.ok(text.includes(`root hash ${toBase64(state.root).replace(/=+$/, '')}`), 'the root hash');
    const again = await t.http.inject({ url: '/fa/letters/albania.pdf', headers: { 'if-none-match': String(r.headers.etag) } });
    assert.equal(again.statusCode, 304, 'the same data version is the same document');
    shots('13-letter-fa', 'fa');
  });

  test('en, and every version in the letter\'s order', async () => {
    const en = await t.http.inject('/en/letters/albania.pdf');
    assert.equal(en.statusCode, 200);
    const text = pdfText(en.rawPayload, '13-letter-en');
    for (const p of PEOPLE) assert.ok(text.includes(p.name), `${p.name} in the en PDF`);
    assert.ok(text.includes('March 1, 2026'));
    assert.ok(text.includes('Ilir Meta'));
    shots('13-letter-en', 'en');
    const all = await t.http.inject('/letters/albania.pdf');
    assert.equal(all.statusCode, 200);
    const both = pdfText(all.rawPayload, '13-letter-all');
    const fa = both.indexOf('آلبانی');
    const eng = both.indexOf('Open letter to the President of Albania');
    assert.ok(fa >= 0 && eng > fa, 'fa first (the letter\'s order), then en');
  });

  test('a draft, an unknown letter and a missing language are 404s', async () => {
    const { createLetter } = await import('../../src/use-cases/create-letter.ts');
    const { faEnLetter } = await import('../support/app.ts');
    await createLetter(t.app.deps, faEnLetter('a-draft'));
    assert.equal((await t.http.inject('/fa/letters/a-draft.pdf')).statusCode, 404);
    assert.equal((await t.http.inject('/letters/nothing.pdf')).statusCode, 404);
    const de = await t.http.inject('/de/letters/albania.pdf');
    assert.equal(de.statusCode, 404);
  });
});

/** The letter's first page and the list's first page as PNGs (pdftoppm), kept in artifacts/screenshots/. */
function shots(name: string, tag: string) {
  const pdf = join(SCREENSHOTS, '..', `${name}.pdf`);
  for (const [page, what] of [[1, 'letter'], [2, 'signatories']] as const) {
    execFileSync('pdftoppm', ['-png', '-r', '70', '-f', String(page), '-l', String(page), '-singlefile', pdf, join(SCREENSHOTS, `13-pdf-${tag}-${what}`)]);
  }
}
