/**
 * The review queue stays true: a pair whose side was removed (or withdrawn) leaves it by itself, the dashboard
 * counts it no more, the signature is no longer "held", and a decision sent for it from an old page says why.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, openLetter, Browser, csrfFrom, tokenFromUrl, type TestApp } from './support/app.ts';
import { removeSignature } from '../src/use-cases/remove-signature.ts';
import { selectSignatures } from '../src/use-cases/reads/organiser-signatures.ts';

let t: TestApp;
let org: Browser;
before(async () => {
  t = await testApp();
  await openLetter(t, 'queue', { organisers: ['org@example.org'] });
  org = new Browser(t.http);
  await org.post('/en/organise/login', { email: 'org@example.org' }, '/en/organise');
  await t.flushMail();
  const token = tokenFromUrl(t.mailer.sent.find((m) => m.template === 'login')!.text);
  const page = await org.get(`/en/organise/login/complete?token=${token}`);
  await org.post('/en/organise/login/complete', { token, _csrf: csrfFrom(page.body) });
});
after(() => t.close());

async function signConfirmed(name: string, email: string) {
  await t.http.inject({ method: 'POST', url: '/api/v1/letters/queue/signatures', payload: { name, email } });
  await t.flushMail();
  const c = await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', payload: { token: t.mailer.lastToken(email) } });
  assert.equal(c.statusCode, 200, c.body);
}

test('a pair whose side was removed leaves the queue; a stale decision is told why', async () => {
  const letter = (await t.app.store.letters.bySlug('queue'))!;
  await signConfirmed('حسن روحانی', 'h1@example.org');
  await signConfirmed('Hassan Rouhani', 'h2@example.org');
  const [review] = await t.app.store.reviews.list(letter.id, 'open');
  assert.ok(review);
  let page = await org.get('/en/organise/letters/queue/reviews');
  assert.equal((page.body.match(/<article class="review">/g) ?? []).length, 1);
  assert.match(page.body, /Confirmed by email/);
  assert.match((await org.get('/en/organise')).body, /Duplicates \(1\)/);
  assert.equal((await selectSignatures(t.app.store, 'queue', undefined, { state: 'held' })).matching.length, 1);

  await removeSignature(t.app.deps, 'queue', review.otherId, 'fraud', undefined);
  page = await org.get('/en/organise/letters/queue/reviews');
  assert.doesNotMatch(page.body, /<article class="review">/);
  assert.match(page.body, /No possible duplicates to review/);
  assert.match((await org.get('/en/organise')).body, /Duplicates \(0\)/);
  assert.equal((await selectSignatures(t.app.store, 'queue', undefined, { state: 'held' })).matching.length, 0);

  const stale = await org.post(`/en/organise/letters/queue/reviews/${review.id}`, { decision: 'dismiss', _csrf: csrfFrom((await org.get('/en/organise')).body) }, '/en/organise/letters/queue/reviews');
  assert.equal(stale.statusCode, 303);
  assert.match(String(stale.headers.location), /done=gone/);
  assert.match((await org.get(String(stale.headers.location))).body, /This pair left the review queue/);
  assert.equal(await t.app.store.signatures.countConfirmed(letter.id), 1, 'the stale decision changed nothing');
});

test('cards say which words matched; several pairs dismissed at once, each as alone', async () => {
  const letter = (await t.app.store.letters.bySlug('queue'))!;
  await signConfirmed('محمدرضا شریفی', 's1@example.org');
  await signConfirmed('Mohammadreza Sharifi', 's2@example.org');
  await signConfirmed('زهرا معینی', 'z1@example.org');
  await signConfirmed('Zahra Moeini', 'z2@example.org');
  const page = await org.get('/en/organise/letters/queue/reviews');
  const cards = (page.body.match(/<article class="review">/g) ?? []).length;
  assert.equal(cards, 2, page.body.slice(0, 3000));
  assert.match(page.body, /Matched across scripts: <bdi>محمدرضا<\/bdi> ↔ <bdi>mohammadreza<\/bdi>|Matched across scripts: <bdi>mohammadreza<\/bdi> ↔ <bdi>محمدرضا<\/bdi>/);
  const ids = (await t.app.store.reviews.list(letter.id, 'open')).filter((r) => r.status === 'open').map((r) => r.id);
  const bulk = await org.post('/en/organise/letters/queue/reviews/bulk', { decision: 'dismiss', ids: ids.join(','), _csrf: csrfFrom(page.body) }, '/en/organise/letters/queue/reviews');
  assert.equal(bulk.statusCode, 303, bulk.body);
  const after = await org.get('/en/organise/letters/queue/reviews');
  assert.doesNotMatch(after.body, /<article class="review">/);
  assert.equal(await t.app.store.signatures.countConfirmed(letter.id), 5, 'dismissed: all count');
  const audit = await t.app.store.desk.audit(letter.id, 100);
  assert.ok(audit.filter((e) => e.action === 'dismiss').length >= 2);
});
