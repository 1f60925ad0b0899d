/**
 * The seed letter says "48 people"; its lists hold 46 distinct people. Importing it creates a draft with each
 * person once, both names kept, marked as not verified by email; a later signer who is already on the imported
 * list is flagged for review.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, Browser, type TestApp } from './support/app.ts';
import { importCommand } from '../src/adapters/cli/commands/import.ts';
import { setLetterState } from '../src/use-cases/edit-letter.ts';

let t: TestApp;
before(async () => {
  t = await testApp();
});
after(() => t.close());

test('import creates a draft with 46 people, both names kept, and later duplicates are caught', async () => {
  let out = '';
  let err = '';
  const code = await importCommand.run(['../shared/fixtures/seed-letter.txt', '--slug', 'albania-48', '--addressee', 'Ilir Meta', '--json'], {
    io: { out: (s) => void (out += s), err: (s) => void (err += s), isTTY: false },
    cwd: process.cwd(),
    app: async () => t.app,
  });
  assert.equal(code, 0, err);
  const report = JSON.parse(out);
  assert.equal(report.claimedCount, 48);
  assert.equal(report.distinct, 46);
  assert.equal(report.draft.people, 46);

  const letter = (await t.app.store.letters.bySlug('albania-48'))!;
  assert.equal(letter.state, 'draft');
  assert.equal(letter.imported, true);
  assert.deepEqual(letter.versions.map((v) => v.lang), ['fa', 'en']);
  assert.equal(await t.app.store.signatures.countConfirmed(letter.id), 46);
  const list = await t.app.store.signatures.listPublic(letter.id);
  const nasrollahi = list.filter((s) => s.name === 'علیرضا نصر اللهی' || s.nameAlt === 'علیرضا نصر اللهی');
  assert.equal(nasrollahi.length, 1, 'the repeated name is one person');
  assert.ok([nasrollahi[0]!.name, nasrollahi[0]!.nameAlt].includes('Alireza Nasrollahi'), 'both names kept');
  assert.ok(list.every((s) => s.nameAlt), 'every person was paired across the two lists');

  await setLetterState(t.app.deps, 'albania-48', 'open', undefined);
  const page = await new Browser(t.http).get('/en/letters/albania-48');
  assert.match(page.body, /Imported letter: its signatories were not verified by email/);
  assert.match(page.body, /46 signatures/);

  // Someone on the imported list signs again online, in Latin letters: flagged, not merged.
  await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania-48/signatures', payload: { name: 'Alireza Nasrolahi', email: 'alireza@example.org' } });
  await t.flushMail();
  await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', payload: { token: t.mailer.lastToken('alireza@example.org') } });
  const reviews = await t.app.store.reviews.list(letter.id, 'open');
  assert.equal(reviews.length, 1);
  const other = await t.app.store.signatures.byId(reviews[0]!.otherId);
  assert.equal(other?.imported, true);
  assert.equal(await t.app.store.signatures.countConfirmed(letter.id), 47);
});
