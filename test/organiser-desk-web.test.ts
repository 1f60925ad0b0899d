/**
 * The signatures table and bulk removal on the web (in-process HTTP): a moderator sees no address export, a
 * confirmation that no longer matches its preview is shown again, and a missing reason is named.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, openLetter, Browser, csrfFrom, signInOrganiser, type TestApp } from './support/app.ts';
import { addOrganiser } from '../src/use-cases/manage-organisers.ts';

let t: TestApp;
before(async () => {
  t = await testApp();
  await openLetter(t, 'desk', { organisers: ['owner@example.org'] });
  await addOrganiser(t.app.deps, 'desk', 'mod@example.org', 'moderator', undefined);
  for (const [name, email] of [['Hassan Azizi', 'a@example.org'], ['Hasan Shahbaz', 'b@example.org'], ['Zahra Moeini', 'c@example.org']]) {
    await t.http.inject({ method: 'POST', url: '/api/v1/letters/desk/signatures', payload: { name, email } });
    await t.flushMail();
    await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', payload: { token: t.mailer.lastToken(email!) } });
  }
});
after(() => t.close());

test('moderators: the table without the address export; owners only may export addresses; edits are for owners', async () => {
  const mod = new Browser(t.http);
  await signInOrganiser(t, mod, 'mod@example.org', { lang: 'en' });
  const page = await mod.get('/en/organise/letters/desk/signatures');
  assert.equal(page.statusCode, 200);
  assert.doesNotMatch(page.body, /Export CSV with email addresses/);
  assert.doesNotMatch(page.body, /@example\.org<\/td>/);
  const csv = await mod.post('/en/organise/letters/desk/signatures.csv', { emails: '1', _csrf: csrfFrom(page.body) });
  assert.equal(csv.statusCode, 403);
  assert.equal((await mod.get('/en/organise/letters/desk/edit')).statusCode, 403);
  assert.equal((await mod.get('/en/organise/letters/desk/audit')).statusCode, 403);
  const plain = await mod.post('/en/organise/letters/desk/signatures.csv', { _csrf: csrfFrom(page.body) });
  assert.equal(plain.statusCode, 200);
  assert.ok(plain.body.startsWith('\uFEFFid,name'));
  assert.doesNotMatch(plain.body, /@example\.org/);
});

test('bulk removal on the web: a missing reason is named; a selection that changed is shown again', async () => {
  const owner = new Browser(t.http);
  await signInOrganiser(t, owner, 'owner@example.org', { lang: 'en' });
  const table = await owner.get('/en/organise/letters/desk/signatures?q=hasan');
  assert.match(table.body, /2 signatures match/);
  const csrf = csrfFrom(table.body);
  const preview = await owner.post('/en/organise/letters/desk/removals', { q: 'hasan', step: 'preview', _csrf: csrf });
  assert.match(preview.body, /2 confirmed signatures would be removed/);
  const noReason = await owner.post('/en/organise/letters/desk/removals', { q: 'hasan', step: 'confirm', expected: '2', _csrf: csrf });
  assert.equal(noReason.statusCode, 400);
  assert.match(noReason.body, /id="reason-error"/);
  const changed = await owner.post('/en/organise/letters/desk/removals', { q: 'hasan', step: 'confirm', expected: '3', reason: 'fraud', _csrf: csrf });
  assert.equal(changed.statusCode, 409);
  assert.match(changed.body, /The selection changed since the preview/);
  const letter = (await t.app.store.letters.bySlug('desk'))!;
  assert.equal(await t.app.store.signatures.countConfirmed(letter.id), 3, 'nothing removed yet');
  const done = await owner.post('/en/organise/letters/desk/removals', { q: 'hasan', step: 'confirm', expected: '2', reason: 'duplicate', _csrf: csrf });
  assert.equal(done.statusCode, 200);
  assert.match(done.body, /2 signatures were removed \(Duplicate\)/);
  assert.equal(await t.app.store.signatures.countConfirmed(letter.id), 1);
});
