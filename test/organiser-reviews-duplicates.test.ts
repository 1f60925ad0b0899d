/**
 * Duplicates across spellings and scripts: Hassan signs in Persian, then again in Latin letters with another
 * address. The confirmation flags the pair; the organiser sees both side by side and merges (one person, both
 * names kept) or dismisses. Nothing is merged automatically, and hard negatives are never flagged as likely.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, openLetter, Browser, csrfFrom, tokenFromUrl, type TestApp } from './support/app.ts';

let t: TestApp;
let org: Browser;
before(async () => {
  t = await testApp();
  await openLetter(t, 'albania', { organisers: ['org@example.org'] });
  org = new Browser(t.http);
  await org.post('/en/organise/login', { email: 'org@example.org' }, '/en/organise');
  await t.flushMail();
  const token = tokenFromUrl(t.mailer.sent.find((m) => m.template === 'login')!.text);
  const page = await org.get(`/en/organise/login/complete?token=${token}`);
  await org.post('/en/organise/login/complete', { token, _csrf: csrfFrom(page.body) });
});
after(() => t.close());

async function signConfirmed(name: string, email: string, nameAlt?: string) {
  const r = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', payload: { name, email, ...(nameAlt ? { nameAlt } : {}) } });
  assert.equal(r.statusCode, 202, r.body);
  await t.flushMail();
  const c = await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', payload: { token: t.mailer.lastToken(email) } });
  assert.equal(c.statusCode, 200, c.body);
}

test('a cross-script duplicate is flagged for review and merged by the organiser, keeping both names', async () => {
  const letterId = (await t.app.store.letters.bySlug('albania'))!.id;
  await signConfirmed('حسن روحانی', 'hassan1@example.org');
  await signConfirmed('Hamid Karimi', 'hamid@example.org');
  await signConfirmed('Hassan Rouhani', 'hassan2@example.org');
  await signConfirmed('Hamed Karami', 'hamed@example.org');
  assert.equal(await t.app.store.signatures.countConfirmed(letterId), 4, 'nothing merged automatically');
  const open = await t.app.store.reviews.list(letterId, 'open');
  assert.equal(open.length, 1, JSON.stringify(open));
  assert.equal(open[0]!.band, 'likely');

  const page = await org.get('/en/organise/letters/albania/reviews');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<bdi>حسن روحانی<\/bdi>/);
  assert.match(page.body, /<bdi>Hassan Rouhani<\/bdi>/);
  assert.match(page.body, /Likely the same person/);
  const dash = await org.get('/en/organise');
  assert.match(dash.body, /Duplicates \(1\)/);

  const merged = await org.post(`/en/organise/letters/albania/reviews/${open[0]!.id}`, { decision: 'merge', _csrf: csrfFrom(page.body) });
  assert.equal(merged.statusCode, 303);
  assert.equal(await t.app.store.signatures.countConfirmed(letterId), 3);
  const earlier = await t.app.store.signatures.byEmail(letterId, 'hassan1@example.org');
  assert.equal(earlier?.name, 'حسن روحانی');
  assert.equal(earlier?.nameAlt, 'Hassan Rouhani', 'both names kept');
  assert.equal((await t.app.store.signatures.byEmail(letterId, 'hassan2@example.org'))?.status, 'invalidated');
  t.app.reads.invalidate(letterId);
  const list = (await t.http.inject('/api/v1/letters/albania/signatures?lang=en')).json();
  assert.deepEqual(list.items.map((s: { name: string; nameAlt: string | null }) => [s.name, s.nameAlt]).sort(), [['Hamed Karami', null], ['Hamid Karimi', null], ['حسن روحانی', 'Hassan Rouhani']].sort());
  // A decided review cannot be decided again.
  const again = await org.post(`/en/organise/letters/albania/reviews/${open[0]!.id}`, { decision: 'dismiss' }, '/en/organise');
  assert.equal(again.statusCode, 400);
});

test('dismissing keeps both; other organisers cannot see the reviews', async () => {
  const letterId = (await t.app.store.letters.bySlug('albania'))!.id;
  await signConfirmed('Mohammad Rezaei', 'mr1@example.org');
  await signConfirmed('Mohamad Rezaie', 'mr2@example.org');
  const [r] = await t.app.store.reviews.list(letterId, 'open');
  assert.ok(r);
  const page = await org.get('/en/organise/letters/albania/reviews');
  await org.post(`/en/organise/letters/albania/reviews/${r.id}`, { decision: 'dismiss', _csrf: csrfFrom(page.body) });
  assert.equal((await t.app.store.reviews.byId(r.id))?.status, 'dismissed');
  assert.equal((await t.app.store.signatures.byEmail(letterId, 'mr2@example.org'))?.status, 'confirmed');
  const anon = await new Browser(t.http).get('/en/organise/letters/albania/reviews');
  assert.equal(anon.statusCode, 303);
});
