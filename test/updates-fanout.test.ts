/**
 * An update to 2,000 signers (issue 13, the fan-out), on SQLite and PostgreSQL: its mails are queued in batches of
 * 500, each its own transaction, so a signing between two batches is answered (202) while the fan-out goes on, and
 * every recipient gets exactly one mail; a fan-out stopped after its first batch (a crash) is finished by a
 * resumption — two at once — with no mail twice, and by the outbox worker on its own once it has not moved for a
 * minute.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../src/main.ts';
import { loadConfig } from '../src/config.ts';
import { createLetter } from '../src/use-cases/create-letter.ts';
import { createApiToken } from '../src/use-cases/organiser-tokens.ts';
import { validateUpdate } from '../src/core/updates/update.ts';
import { fanOutUpdate, FANOUT_BATCH, queueUpdate, resumeFanouts } from '../src/use-cases/steps/updates.ts';
import { deliverDue, OutboxWorker } from '../src/use-cases/workers/deliver-outbox.ts';
import { signatureFixture } from '../src/adapters/storage/store.case.ts';
import { faEnLetter, MemoryMailer } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';

const OWNER = 'owner@example.org';
const N = 2000;
const json = (payload: unknown, headers: Record<string, string> = {}) => ({ payload: JSON.stringify(payload), headers: { 'content-type': 'application/json', ...headers } });

for (const setup of [{ name: 'SQLite' }, { name: 'PostgreSQL', pg: true }]) {
  describe(`an update to ${N} signers: ${setup.name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-fanout-'));
    let db: TestDatabase | undefined;
    let app: App;
    const mailer = new MemoryMailer();
    let http: Awaited<ReturnType<App['http']>>;
    const emails: string[] = [];

    before(async () => {
      const env: Record<string, string> = { UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_BASE_URL: 'http://test.local', UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_SCREENING: 'off' };
      if (setup.pg) {
        db = await createTestDatabase();
        env.UNDERSIGNED_DATABASE_URL = db.url;
      }
      app = await buildApp(loadConfig(env, { dataDir: dir }), { mailer });
      http = await app.http();
      // The worker stays stopped: the mails wait in the outbox, where the test counts them, then delivers them.
      await app.worker.stop();
      for (const slug of ['big', 'crash', 'worker']) {
        await createLetter(app.deps, faEnLetter(slug, { organisers: [OWNER] }), { publish: true });
        const letter = (await app.store.letters.bySlug(slug))!;
        for (let i = 0; i < N; i++) {
          const s = signatureFixture(letter.id, { status: 'confirmed', consentUpdates: true, lang: i % 2 ? 'en' : 'fa', confirmedAt: '2026-01-01T00:00:00.000Z' });
          assert.equal(await app.store.signatures.insert(s), true);
          if (slug === 'big') emails.push(s.email);
        }
      }
    });
    after(async () => {
      await app?.close();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    const updateJobs = async (updateId: string) => (await app.store.outbox.list({ limit: 100_000 })).filter((j) => j.id.startsWith(`update:${updateId}:`));
    const deliverAll = async () => {
      while ((await deliverDue(app.deps, mailer, 500)).sent > 0);
    };
    const queue = async (slug: string, key: string) => {
      const letter = (await app.store.letters.bySlug(slug))!;
      const valid = validateUpdate({ subject: { fa: 'خبر', en: 'News' }, body: { fa: 'متن', en: 'Text' } }, letter.defaultLang);
      return app.store.transaction((tx) => queueUpdate(tx, app.deps, letter, { ...valid, kind: 'update', key, createdBy: OWNER }));
    };

    test('fanned out in several transactions; a signing between two is answered; one mail each', async () => {
      const { update, created } = await queue('big', 'key:batches');
      assert.equal(created, true);
      assert.equal(update.recipients, N, 'counted when stored');
      assert.equal((await updateJobs(update.id)).length, 0, 'no mail in the update\'s own transaction');
      const signings: number[] = [];
      const r = await fanOutUpdate(app.deps, update.id, {
        afterBatch: async (n) => {
          if (n !== 1) return;
          // The write lock is free between two batches: a signing now is stored and answered.
          const res = await http.inject({ method: 'POST', url: '/api/v1/letters/big/signatures', ...json({ name: 'Between Batches', email: 'between@example.org', lang: 'en', visibility: 'public' }) });
          signings.push(res.statusCode);
          const mid = (await app.store.updates.updateById(update.id))!;
          assert.equal(mid.fanoutDone, false, 'the fan-out is not done yet');
          assert.equal((await updateJobs(update.id)).length, FANOUT_BATCH, 'one batch queued so far');
        },
      });
      assert.deepEqual(signings, [202]);
      assert.equal(r.done, true);
      assert.equal(r.batches, N / FANOUT_BATCH, 'four transactions of 500');
      assert.equal(r.queued, N);
      const jobs = await updateJobs(update.id);
      assert.equal(jobs.length, N);
      assert.deepEqual(jobs.map((j) => j.payload.to).sort(), [...emails].sort(), 'every recipient, once');
      assert.equal((await app.store.updates.updateById(update.id))!.fanoutDone, true);

      // Through the API, while signings come in at once: the update is answered with its count, the signings 202.
      const token = (await createApiToken(app.deps, OWNER, { letterSlug: 'big' })).token;
      const [sent, ...signed] = await Promise.all([
        http.inject({ method: 'POST', url: '/api/v1/organise/letters/big/updates', ...json({ subject: { fa: 'دوم' }, body: { fa: 'دوم' } }, { authorization: `Bearer ${token}` }) }),
        ...Array.from({ length: 5 }, (_, i) => http.inject({ method: 'POST', url: '/api/v1/letters/big/signatures', ...json({ name: `Meanwhile ${i}`, email: `meanwhile${i}@example.org`, lang: 'fa', visibility: 'public' }) })),
      ]);
      assert.equal(sent!.statusCode, 201, sent!.body);
      assert.deepEqual(signed.map((x) => x.statusCode), Array(5).fill(202));
      const second = sent!.json().id as string;
      const jobs2 = await updateJobs(second);
      assert.equal(jobs2.length, N);
      assert.equal(new Set(jobs2.map((j) => j.payload.to)).size, N);

      await deliverAll();
      const perRecipient = new Map<string, number>();
      for (const m of mailer.sent.filter((x) => x.template === 'update')) perRecipient.set(m.to, (perRecipient.get(m.to) ?? 0) + 1);
      assert.equal(perRecipient.size, N);
      assert.ok([...perRecipient.values()].every((n) => n === 2), 'two updates: two mails each, no more');
    });

    test('stopped after its first batch (a crash), the fan-out is finished on resumption, two at once, no mail twice', async () => {
      const before = mailer.sent.length;
      const { update } = await queue('crash', 'key:crash');
      const first = await fanOutUpdate(app.deps, update.id, { maxBatches: 1 });
      assert.deepEqual(first, { queued: FANOUT_BATCH, batches: 1, done: false });
      // Some of the first batch's mails go out before the "restart".
      await deliverDue(app.deps, mailer, 100);
      const left = (await app.store.updates.updateById(update.id))!;
      assert.equal(left.fanoutDone, false);
      assert.ok(left.fanoutAfter, 'the cursor says how far it got');
      // Not yet stale: the worker's resumption leaves a fan-out that is still moving alone.
      assert.equal(await resumeFanouts(app.deps), 0);
      // Two resumptions at once (two processes' workers after a restart): each batch is recorded by one of them.
      const [a, b] = await Promise.all([resumeFanouts(app.deps, { staleMs: 0 }), resumeFanouts(app.deps, { staleMs: 0 })]);
      assert.ok(a + b >= 1);
      assert.equal((await app.store.updates.updateById(update.id))!.fanoutDone, true);
      const jobs = await updateJobs(update.id);
      assert.equal(jobs.length, N);
      assert.equal(new Set(jobs.map((j) => j.payload.to)).size, N);
      assert.equal(await resumeFanouts(app.deps, { staleMs: 0 }), 0, 'nothing left to resume');
      await deliverAll();
      const mails = mailer.sent.slice(before).filter((m) => m.template === 'update');
      assert.equal(mails.length, N);
      assert.equal(new Set(mails.map((m) => m.to)).size, N, 'no recipient mailed twice');
    });

    test('the outbox worker finishes a fan-out that has not moved for a minute, and sends its mails once', async () => {
      const before = mailer.sent.length;
      const { update } = await queue('worker', 'key:worker');
      await fanOutUpdate(app.deps, update.id, { maxBatches: 1 });
      // A worker started after the crash, two minutes later.
      const later = { ...app.deps, clock: { now: () => new Date(Date.now() + 120_000) } };
      const worker = new OutboxWorker(later, mailer, 20);
      worker.start();
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && mailer.sent.slice(before).filter((m) => m.template === 'update').length < N) await new Promise((r) => setTimeout(r, 100));
      await worker.stop();
      assert.equal((await app.store.updates.updateById(update.id))!.fanoutDone, true);
      const mails = mailer.sent.slice(before).filter((m) => m.template === 'update');
      assert.equal(mails.length, N);
      assert.equal(new Set(mails.map((m) => m.to)).size, N, 'no recipient mailed twice');
    });
  });
}
