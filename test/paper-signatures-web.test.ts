/**
 * Paper signatures and notable signatories on the web (in-process HTTP, the real app): an owner uploads a CSV on the
 * desk, sees the preview (or every problem by line, nothing added), confirms; the letter page, its embed, badge and
 * API show the split count in English and in Persian (Persian digits); a moderator cannot import; the owner's
 * "notable signatories" option lists only checked titles, first; unchecked titles are never featured.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, openLetter, Browser, csrfFrom, signInOrganiser, type TestApp } from './support/app.ts';
import { addOrganiser } from '../src/use-cases/manage-organisers.ts';
import { setTitleChecked } from '../src/use-cases/vet-title.ts';

let t: TestApp;
before(async () => {
  t = await testApp();
  await openLetter(t, 'sheet', { organisers: ['owner@example.org'] });
  await addOrganiser(t.app.deps, 'sheet', 'mod@example.org', 'moderator', undefined);
  for (const [name, email, title] of [['Ilir Hoxha', 'i@example.org', 'Professor, University of Tirana'], ['Zahra Moeini', 'z@example.org', 'Self-styled ambassador']]) {
    await t.http.inject({ method: 'POST', url: '/api/v1/letters/sheet/signatures', payload: { name, email, title } });
    await t.flushMail();
    await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', payload: { token: t.mailer.lastToken(email!) } });
  }
});
after(() => t.close());

/** A browser's multipart form post (one file), with the session cookie and same-origin headers. */
async function upload(b: Browser, url: string, fields: Record<string, string>, file: { name: string; text: string }) {
  const boundary = '----undersigned' + Math.random().toString(16).slice(2);
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.text}\r\n`);
  const payload = Buffer.from(parts.join('') + `--${boundary}--\r\n`, 'utf8');
  const cookie = [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return t.http.inject({ method: 'POST', url, payload, headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}`, 'sec-fetch-site': 'same-origin', origin: 'http://test.local' } });
}

const SHEET = '\uFEFFname,nameAlt,title,country\r\nمهسا کریمی‌نژاد,Mahsa Kariminejad,,IR\r\nArta Krasniqi,,Journalist,XK\r\nIlir Hoxha,,,AL\r\n';

test('an owner adds paper signatures on the desk: problems by line first, then a preview, then the result', async () => {
  const mod = new Browser(t.http);
  await signInOrganiser(t, mod, 'mod@example.org', { lang: 'en' });
  assert.equal((await mod.get('/en/organise/letters/sheet/import')).statusCode, 403, 'owners only');
  assert.doesNotMatch((await mod.get('/en/organise/letters/sheet/signatures')).body, /Add paper signatures/);

  const owner = new Browser(t.http);
  await signInOrganiser(t, owner, 'owner@example.org', { lang: 'en' });
  const table = await owner.get('/en/organise/letters/sheet/signatures');
  assert.match(table.body, /href="\/en\/organise\/letters\/sheet\/import"/);
  const form = await owner.get('/en/organise/letters/sheet/import');
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /enctype="multipart\/form-data"/);

  const bad = await upload(owner, '/en/organise/letters/sheet/import', { _csrf: csrfFrom(form.body), step: 'preview', source: 'paper' }, { name: 'bad.csv', text: 'name,country\r\nGood,AL\r\n,AL\r\nBad,ZZ\r\n' });
  assert.equal(bad.statusCode, 422);
  assert.match(bad.body, /<strong>Line 3<\/strong>: Name: This field is required\./);
  assert.match(bad.body, /<strong>Line 4<\/strong>: Country: /);
  assert.equal((await t.http.inject({ method: 'GET', url: '/api/v1/letters/sheet' })).json().count, 2, 'nothing added');

  const noCsrf = await upload(owner, '/en/organise/letters/sheet/import', { step: 'preview', source: 'paper' }, { name: 's.csv', text: SHEET });
  assert.equal(noCsrf.statusCode, 403);

  const preview = await upload(owner, '/en/organise/letters/sheet/import', { _csrf: csrfFrom(form.body), step: 'preview', source: 'paper' }, { name: 'sheet.csv', text: SHEET });
  assert.equal(preview.statusCode, 200, preview.body.slice(0, 500));
  assert.match(preview.body, /3 signatures will be added, marked “From paper”/);
  assert.match(preview.body, /1 row resembles a signature already on the letter/);
  assert.ok(preview.body.includes('<bdi class="name">مهسا کریمی‌نژاد</bdi>'), 'the ZWNJ is kept in the preview');
  assert.equal((await t.http.inject({ method: 'GET', url: '/api/v1/letters/sheet' })).json().count, 2, 'a preview adds nothing');

  const csv = preview.body.match(/<textarea name="csv" hidden aria-hidden="true">([\s\S]*?)<\/textarea>/)![1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
  const changed = await owner.post('/en/organise/letters/sheet/import', { _csrf: csrfFrom(preview.body), step: 'confirm', source: 'paper', csv, expected: '2' });
  assert.equal(changed.statusCode, 409, 'a confirmation that no longer matches its preview is shown again');
  assert.match(changed.body, /3 signatures will be added/);
  const done = await owner.post('/en/organise/letters/sheet/import', { _csrf: csrfFrom(preview.body), step: 'confirm', source: 'paper', csv, expected: '3' });
  assert.equal(done.statusCode, 200, done.body.slice(0, 500));
  assert.match(done.body, /3 signatures were added\./);
  const again = await owner.post('/en/organise/letters/sheet/import', { _csrf: csrfFrom(preview.body), step: 'confirm', source: 'paper', csv, expected: '3' });
  assert.equal(again.statusCode, 409);

  const api = (await t.http.inject({ method: 'GET', url: '/api/v1/letters/sheet' })).json();
  assert.equal(api.count, 5);
  assert.deepEqual(api.counts, { email: 2, paper: 3, imported: 0 });
  const paperRows = await owner.get('/en/organise/letters/sheet/signatures?source=paper');
  assert.equal((paperRows.body.match(/<td>From paper<\/td>/g) ?? []).length, 3);
  assert.equal((paperRows.body.match(/<td>Confirmed by email<\/td>/g) ?? []).length, 0);
});

test('the letter page, embed and badge show the split count, in English and in Persian digits', async () => {
  await new Promise((r) => setTimeout(r, 2100)); // the count caches
  const en = await t.http.inject({ method: 'GET', url: '/en/letters/sheet' });
  assert.match(en.body, /<strong>5 signatures: 2 confirmed by email, 3 from paper<\/strong>/);
  const fa = await t.http.inject({ method: 'GET', url: '/fa/letters/sheet' });
  assert.match(fa.body, /<strong>۵ امضا: ۲ تأییدشده با ایمیل، ۳ از برگه‌های کاغذی<\/strong>/);
  const embed = await t.http.inject({ method: 'GET', url: '/en/letters/sheet/embed' });
  assert.match(embed.body, /5 signatures: 2 confirmed by email, 3 from paper/);
  const badge = await t.http.inject({ method: 'GET', url: '/letters/sheet/badge.svg?lang=fa' });
  assert.match(badge.body, /<title>۵ امضا: ۲ تأییدشده با ایمیل، ۳ از برگه‌های کاغذی<\/title>/);
});

test('notable signatories: an owner\u2019s option; only checked titles, first; unchecked titles never featured', async () => {
  const page = () => t.http.inject({ method: 'GET', url: '/en/letters/sheet' }).then((r) => r.body);
  assert.doesNotMatch(await page(), /Notable signatories/);
  const owner = new Browser(t.http);
  await signInOrganiser(t, owner, 'owner@example.org', { lang: 'en' });
  const table = await owner.get('/en/organise/letters/sheet/signatures');
  const saved = await owner.post('/en/organise/letters/sheet/notable', { show: '1', _csrf: csrfFrom(table.body) });
  assert.equal(saved.statusCode, 303);
  assert.match((await owner.get(saved.headers.location as string)).body, /name="show" value="1" checked/);
  // On, but nobody's title is checked yet: no section (nothing to feature)
  assert.doesNotMatch(await page(), /id="notable-heading"/);
  const items = (await t.http.inject({ method: 'GET', url: '/api/v1/letters/sheet/signatures?lang=en' })).json().items;
  const ilir = items.find((i: any) => i.title === 'Professor, University of Tirana');
  await setTitleChecked(t.app.deps, 'sheet', ilir.id, true, 'owner@example.org');
  await new Promise((r) => setTimeout(r, 2100)); // the list refresh
  const body = await page();
  const section = body.match(/<section class="notable"[\s\S]*?<\/section>/)?.[0] ?? '';
  assert.match(section, /Notable signatories/);
  assert.match(section, /Professor, University of Tirana/);
  assert.doesNotMatch(section, /Self-styled ambassador/, 'an unchecked title is never featured');
  assert.doesNotMatch(section, /Journalist/);
  assert.ok(body.indexOf('id="notable-heading"') < body.indexOf('id="list-heading"'), 'the notable section comes first');
  const fa = await t.http.inject({ method: 'GET', url: '/fa/letters/sheet' });
  assert.match(fa.body, /امضاکنندگان سرشناس/);

  const mod = new Browser(t.http);
  await signInOrganiser(t, mod, 'mod@example.org', { lang: 'en' });
  const modTable = await mod.get('/en/organise/letters/sheet/signatures');
  assert.equal((await mod.post('/en/organise/letters/sheet/notable', { show: '0', _csrf: csrfFrom(modTable.body) })).statusCode, 403, 'owners only');
  await owner.post('/en/organise/letters/sheet/notable', { _csrf: csrfFrom(table.body) });
  await new Promise((r) => setTimeout(r, 1100));
  assert.doesNotMatch(await page(), /id="notable-heading"/);
  const letter = (await t.app.store.letters.bySlug('sheet'))!;
  assert.deepEqual((await t.app.store.desk.audit(letter.id, 50)).filter((e) => e.action === 'notable').map((e) => e.detail.on), [false, true]);
});

test('a multipart body the upload parser cannot read (no boundary) answers 400, never 500', async () => {
  for (const url of ['/en/organise/letters/sheet/import', '/en/organise/letters/sheet/notable']) {
    const r = await t.http.inject({ method: 'POST', url, payload: '{"show":"1"}', headers: { 'content-type': 'multipart/form-data', origin: 'http://test.local', 'sec-fetch-site': 'same-origin' } });
    assert.equal(r.statusCode, 400, url);
  }
});
