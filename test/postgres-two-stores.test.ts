/**
 * Two server processes on one PostgreSQL, as issue 5 runs them: two SqlStore instances with their own pools on one
 * database. What one writes the other counts; outbox jobs taken by two workers are each sent once; a connection the
 * server drops is reported and replaced, never a crash.
 */
import { StaticMigrations } from '../src/adapters/storage/sql/migrations/index.ts';
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openPostgresStore } from '../src/adapters/storage/postgres/index.ts';
import type { SqlStore } from '../src/adapters/storage/sql/store.ts';
import type { OutboxJob } from '../src/core/model.ts';
import { letterFixture, signatureFixture, versionsFixture } from '../src/adapters/storage/store.case.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';

describe('two stores (two pools) on one PostgreSQL database', () => {
  let db: TestDatabase;
  let a: SqlStore;
  let b: SqlStore;
  const errorsA: Error[] = [];

  before(async () => {
    db = await createTestDatabase();
    // Both start at once on an empty database: the advisory lock lets one migrate while the other waits.
    [a, b] = await Promise.all([
      openPostgresStore(db.url, { applicationName: 'undersigned-test-a', onError: (e) => errorsA.push(e) }),
      openPostgresStore(db.url, { applicationName: 'undersigned-test-b' }),
    ]);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  test('both started on an empty database and migrated it once', async () => {
    const { rows } = await pg_(db.url, 'select name from kysely_migration order by name');
    const expected = Object.keys(await new StaticMigrations('postgres').getMigrations()).sort();
    assert.ok(expected.length >= 2);
    assert.deepEqual(rows.map((r) => r.name), expected, 'each migration recorded exactly once');
  });

  test('a signature inserted through one store is counted and listed by the other, once committed', async () => {
    const l = letterFixture();
    await a.letters.insert(l, versionsFixture);
    assert.equal((await b.letters.bySlug(l.slug))?.id, l.id);
    const s = signatureFixture(l.id, { status: 'confirmed', confirmedAt: '2026-01-02T00:00:00.000Z' });
    await a.transaction(async (tx) => {
      assert.equal(await tx.signatures.insert(s), true);
      assert.equal(await b.signatures.countConfirmed(l.id), 0, 'not visible to the other process before commit');
    });
    assert.equal(await b.signatures.countConfirmed(l.id), 1);
    assert.deepEqual((await b.signatures.listPublic(l.id)).map((x) => x.id), [s.id]);
    // The same address through the other process: refused, still one.
    assert.equal(await b.signatures.insert(signatureFixture(l.id, { emailKey: s.emailKey, status: 'confirmed', confirmedAt: '2026-01-02T00:00:00.000Z' })), false);
    const counts = await Promise.all([a.signatures.countConfirmed(l.id), b.signatures.countConfirmed(l.id)]);
    assert.deepEqual(counts, [1, 1]);
  });

  test('the same address signing through both stores at once leaves one signature', async () => {
    const l = letterFixture();
    await a.letters.insert(l, versionsFixture);
    const emailKey = 'race@example.org';
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const store = i % 2 ? a : b;
        const s = signatureFixture(l.id, { emailKey, status: 'confirmed', confirmedAt: '2026-01-02T00:00:00.000Z' });
        return store.transaction((tx) => tx.signatures.insert(s));
      }),
    );
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(await a.signatures.countConfirmed(l.id), 1);
    assert.equal(await b.signatures.countConfirmed(l.id), 1);
  });

  test('outbox jobs claimed by two workers in a loop are each claimed exactly once', async () => {
    const total = 150;
    const createdAt = '2026-01-01T00:00:00.000Z';
    for (let i = 0; i < total; i++) {
      await (i % 2 ? a : b).outbox.enqueue({
        id: `job-${String(i).padStart(3, '0')}`, kind: 'mail', payload: { to: `p${i}@example.org`, subject: 's', text: 't', lang: 'en', template: 'confirm' },
        runAt: createdAt, attempts: 0, createdAt,
      });
    }
    const claims = new Map<string, string[]>();
    // Each "process" runs three worker loops, as a server with a few concurrent senders would.
    const worker = async (name: string, store: SqlStore) => {
      for (;;) {
        const jobs: OutboxJob[] = await store.outbox.claim('2026-01-01T00:00:10.000Z', '2026-01-01T00:10:00.000Z', 4);
        if (!jobs.length) return;
        for (const j of jobs) {
          claims.set(j.id, [...(claims.get(j.id) ?? []), name]);
          await store.outbox.complete(j.id, '2026-01-01T00:00:11.000Z');
        }
      }
    };
    await Promise.all([
      ...[1, 2, 3].map((n) => worker(`a${n}`, a)),
      ...[1, 2, 3].map((n) => worker(`b${n}`, b)),
    ]);
    const twice = [...claims].filter(([, by]) => by.length > 1);
    assert.deepEqual(twice, [], 'no job claimed twice');
    assert.equal(claims.size, total, 'every job claimed');
    assert.deepEqual(await a.outbox.list({ pendingOnly: true }), [], 'all done');
    const byProcess = { a: 0, b: 0 };
    for (const [, [by]] of claims) byProcess[by!.startsWith('a') ? 'a' : 'b']++;
    // Not asserted (it depends on timing); shown so that a run where one process did everything is visible.
    console.log(`# jobs claimed per process: ${JSON.stringify(byProcess)}`);
  });

  test('connections the server drops are reported to onError and replaced, not a crash', async () => {
    const l = letterFixture();
    await a.letters.insert(l, versionsFixture);
    // Idle pooled connections killed by the server (restart, failover, an admin). Until pg has read the server's
    // goodbye on a connection, a query may still pick it and fail: wait until each one has been reported.
    const killed = await terminate(db.url, 'undersigned-test-a');
    await waitFor(() => errorsA.length >= killed);
    assert.equal(await a.signatures.countConfirmed(l.id), 0, 'the next query gets a new connection');

    // A connection killed in the middle of a transaction: that transaction fails, the store goes on.
    let before = errorsA.length;
    await assert.rejects(
      a.transaction(async (tx) => {
        await tx.signatures.insert(signatureFixture(l.id, { status: 'confirmed', confirmedAt: '2026-01-02T00:00:00.000Z' }));
        before += await terminate(db.url, 'undersigned-test-a');
        await waitFor(() => errorsA.length >= before);
        await tx.signatures.countConfirmed(l.id);
      }),
    );
    assert.equal(await a.signatures.countConfirmed(l.id), 0, 'the interrupted transaction left nothing');
    assert.equal(await b.signatures.countConfirmed(l.id), 0);
  });
});

async function pg_(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, values);
  } finally {
    await c.end();
  }
}

/** Terminates every connection of that application; returns how many. */
async function terminate(url: string, applicationName: string): Promise<number> {
  const { rows } = await pg_(
    url,
    'select pg_terminate_backend(pid) as killed from pg_stat_activity where application_name = $1 and datname = current_database()',
    [applicationName],
  );
  assert.ok(rows.length > 0, `some connection of ${applicationName} to terminate`);
  return rows.length;
}

async function waitFor(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
