/**
 * Issue 17: stored blocking keys carry the key function's version; after a change the rekey job recomputes older
 * keys and re-checks those signatures, so a duplicate whose old keys did not meet is queued for review. On SQLite
 * and PostgreSQL, with 20 rekeying jobs racing.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, openLetter, type TestApp } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';
import { rekeyNames } from '../src/use-cases/workers/rekey-names.ts';
import { KEY_VERSION } from '../src/core/names/index.ts';

for (const pg of [false, true]) {
  describe(`rekeying names on ${pg ? 'PostgreSQL' : 'SQLite'}`, () => {
    let t: TestApp | undefined;
    let db: TestDatabase | undefined;
    after(async () => {
      await t?.close();
      await db?.drop();
    });

    test('keys of an older version are recomputed, the missed duplicate is queued once, 20 jobs at once', async () => {
      if (pg) db = await createTestDatabase();
      t = await testApp(db ? { UNDERSIGNED_DATABASE_URL: db.url } : {});
      await openLetter(t, 'rekey');
      const letterId = (await t.app.store.letters.bySlug('rekey'))!.id;
      const sign = async (name: string, email: string) => {
        const r = await t!.http.inject({ method: 'POST', url: '/api/v1/letters/rekey/signatures', payload: { name, email } });
        assert.equal(r.statusCode, 202, r.body);
        await t!.flushMail();
        const c = await t!.http.inject({ method: 'POST', url: '/api/v1/confirmations', payload: { token: t!.mailer.lastToken(email) } });
        assert.equal(c.statusCode, 200, c.body);
        return (await t!.app.store.signatures.byEmail(letterId, email))!;
      };
      const a = await sign('Владимир Путин', 'a@example.org');
      const other = await sign('Parviz Shapour', 'c@example.org');
      // as an older key function left them: keys that a new Latin spelling can never meet
      await t.app.store.reviews.putKeys(letterId, a.id, ['1:old-a'], 1);
      await t.app.store.reviews.putKeys(letterId, other.id, ['1:old-c'], 1);
      const b = await sign('Vladimir Putin', 'b@example.org');
      assert.equal((await t.app.store.reviews.list(letterId, 'open')).length, 0, 'old keys: the duplicate is not found at confirmation');
      assert.deepEqual((await t.app.store.reviews.staleKeys(KEY_VERSION, 10)).map((s) => s.signatureId).sort(), [a.id, other.id].sort());

      const results = await Promise.all(Array.from({ length: 20 }, () => rekeyNames(t!.app.deps)));
      assert.ok(results.every((r) => r.left === 0));
      assert.deepEqual(await t.app.store.reviews.staleKeys(KEY_VERSION, 10), []);
      const open = await t.app.store.reviews.list(letterId, 'open');
      assert.equal(open.length, 1, JSON.stringify(open));
      assert.deepEqual([open[0]!.signatureId, open[0]!.otherId].sort(), [a.id, b.id].sort());
      assert.equal(open[0]!.band, 'likely');
      // a second run does nothing
      assert.deepEqual(await rekeyNames(t.app.deps), { rekeyed: 0, reviews: 0, left: 0 });
    });
  });
}
