/**
 * Vetted titles: "Professor, University of Tirana" shows as self-described until an organiser checks it; then it
 * carries a visible mark and `titleChecked: true` in the API; unchecking takes the mark away.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, openLetter, Browser, csrfFrom, signInOrganiser, type TestApp } from './support/app.ts';

let t: TestApp;
before(async () => {
  t = await testApp();
  await openLetter(t, 'vet', { organisers: ['org@example.org'] });
  await t.http.inject({ method: 'POST', url: '/api/v1/letters/vet/signatures', payload: { name: 'Ilir Hoxha', email: 'i@example.org', title: 'Professor, University of Tirana' } });
  await t.flushMail();
  await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', payload: { token: t.mailer.lastToken('i@example.org') } });
});
after(() => t.close());

const apiItem = async () => (await t.http.inject({ method: 'GET', url: '/api/v1/letters/vet/signatures?lang=en' })).json().items[0];

test('a title is self-described until an organiser checks it', async () => {
  const visitor = new Browser(t.http);
  let page = await visitor.get('/en/letters/vet');
  assert.match(page.body, /Professor, University of Tirana<\/bdi> <span class="self">\(self-described\)<\/span>/);
  assert.equal((await apiItem()).titleChecked, false);

  const org = new Browser(t.http);
  await signInOrganiser(t, org, 'org@example.org', { lang: 'en' });
  const table = await org.get('/en/organise/letters/vet/signatures');
  assert.match(table.body, /\(self-described\)/);
  const id = (await apiItem()).id;
  const marked = await org.post(`/en/organise/letters/vet/signatures/${id}/title`, { checked: '1', back: '/en/organise/letters/vet/signatures?q=ilir', _csrf: csrfFrom(table.body) });
  assert.equal(marked.statusCode, 303);
  assert.equal(marked.headers.location, '/en/organise/letters/vet/signatures?q=ilir');
  assert.match((await org.get('/en/organise/letters/vet/signatures')).body, /✓ checked/);

  page = await visitor.get('/en/letters/vet');
  assert.match(page.body, /<span class="checked" title="The organisers checked this title">✓ checked<\/span>/);
  assert.equal((await apiItem()).titleChecked, true);
  const fa = await visitor.get('/fa/letters/vet');
  assert.match(fa.body, /✓ بررسی‌شده/);

  const elsewhere = await org.post(`/en/organise/letters/vet/signatures/${id}/title`, { checked: '0', back: 'https://evil.example/', _csrf: csrfFrom(table.body) });
  assert.equal(elsewhere.headers.location, '/en/organise/letters/vet/signatures', 'no open redirect');
  assert.equal((await apiItem()).titleChecked, false);
  const letter = (await t.app.store.letters.bySlug('vet'))!;
  assert.deepEqual((await t.app.store.desk.audit(letter.id, 10)).filter((e) => e.action === 'vet').map((e) => e.detail.checked), [false, true]);
});
