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
        // the outbox job may land a moment after the 202 on PostgreSQL: flush until the mail is there (bounded)
        let token: string | undefined;
        for (let i = 0; i < 50 && !token; i++) {
          await t!.flushMail();
          try {
            token = t!.mailer.lastToken(email);
          } catch {
            await new Promise((r) => setTimeout(r, 20));
          }
        }
        const c = await t!.http.inject({ method: 'POST', url: '/api/v1/confirmations', payload: { token } });
        assert.equal(c.statusCode, 200, c.body);
        return (await t!.app.store.signatures.byEmail(letterId, email))!;
      };
      const a = await sign('Владимир Путин', 'a@example.org');
      const other = await sign('Parviz Shapour', 'c@example.org');
      // an open review scored by an older engine: re-scored when one of its signatures is rekeyed
      const d = await sign('Parviz Shapur', 'd@example.org');
      const stale = (await t.app.store.reviews.list(letterId, 'open')).find((r) => r.signatureId === d.id)!;
      assert.ok(stale, 'Parviz Shapur / Parviz Shapour queued');
      await t.app.store.reviews.update({ ...stale, score: 0.76, band: 'review' });
      // as an older key function left them: keys that a new Latin spelling can never meet
      await t.app.store.reviews.putKeys(letterId, a.id, ['1:old-a'], 1);
      await t.app.store.reviews.putKeys(letterId, other.id, ['1:old-c'], 1);
      const b = await sign('Vladimir Putin', 'b@example.org');
      assert.equal((await t.app.store.reviews.list(letterId, 'open')).filter((r) => r.signatureId === b.id).length, 0, 'old keys: the duplicate is not found at confirmation');
      assert.deepEqual((await t.app.store.reviews.staleKeys(KEY_VERSION, 10)).map((s) => s.signatureId).sort(), [a.id, other.id].sort());

      // keys left by a signature that no longer exists are dropped, not rekeyed for ever
      await t.app.store.reviews.putKeys(letterId, 'gone', ['1:old-gone'], 1);
      const results = await Promise.all(Array.from({ length: 20 }, () => rekeyNames(t!.app.deps)));
      assert.ok(results.every((r) => r.left === 0));
      assert.deepEqual(await t.app.store.reviews.staleKeys(KEY_VERSION, 10), []);
      const open = await t.app.store.reviews.list(letterId, 'open');
      assert.equal(open.length, 2, JSON.stringify(open));
      const putin = open.filter((r) => [r.signatureId, r.otherId].includes(a.id));
      assert.equal(putin.length, 1, 'queued once, whatever the number of jobs');
      assert.deepEqual([putin[0]!.signatureId, putin[0]!.otherId].sort(), [a.id, b.id].sort());
      assert.equal(putin[0]!.band, 'likely');
      const refreshed = open.find((r) => r.id === stale.id)!;
      assert.equal(refreshed.band, 'likely', 'the stale review is re-scored');
      assert.ok(refreshed.score > 0.85);
      // a second run does nothing
      assert.deepEqual(await rekeyNames(t.app.deps), { rekeyed: 0, reviews: 0, left: 0 });
    });
  });
}
