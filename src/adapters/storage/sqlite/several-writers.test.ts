/**
 * Several writers on one SQLite file (`serve --processes N`). Two stores on one file in one process stand for two
 * processes: each has its own connection, and SQLite's write lock is between connections. They also show that the
 * group commit waits for the other writer without blocking the event loop: a wait inside busy_timeout would put this
 * one thread to sleep while the other store, on the same thread, holds the lock — neither could move for 5 s.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { openSqliteStore, type SqliteStore } from './index.ts';
import { letterFixture, signatureFixture, versionsFixture } from '../store.case.ts';

const dir = mkdtempSync(join(tmpdir(), 'undersigned-writers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function two(name: string, sharedWriters = true): Promise<[SqliteStore, SqliteStore]> {
  const file = join(dir, `${name}.db`);
  const a = await openSqliteStore(file, { foldIntervalMs: 0, sharedWriters });
  const b = await openSqliteStore(file, { foldIntervalMs: 0, sharedWriters });
  return [a, b];
}

for (const sharedWriters of [true, false]) test(`two writers on one file (gathering ${sharedWriters ? 'before the lock' : 'in the lock'}): concurrent group commits all land, each once, and both see all of them`, async () => {
  const [a, b] = await two(`groups-${sharedWriters}`, sharedWriters);
  try {
    const letter = letterFixture();
    await a.letters.insert(letter, versionsFixture);
    // The event loop keeps turning while a group waits for the other's lock: a timer fires during the waits. Which
    // store waits is marked from its first SQLITE_BUSY (onLockBusy) to its next COMMIT (afterCommit).
    const waiting = new Set<SqliteStore>();
    let waits = 0;
    for (const s of [a, b]) {
      s.group.onLockBusy = () => {
        waits++;
        waiting.add(s);
      };
      s.group.afterCommit = () => waiting.delete(s);
    }
    let ticksWhileWaiting = 0;
    const ticker = setInterval(() => {
      if (waiting.size) ticksWhileWaiting++;
    }, 1);
    // a holds the write lock for a while (a unit that awaits a timer), so that b's groups must wait for it.
    const holder = a.transaction(() => new Promise((r) => setTimeout(r, 30)));
    const runs = [a, b].flatMap((s, w) =>
      Array.from({ length: 300 }, (_, i) =>
        // Both writers sign the same 300 addresses: one of the two inserts of each lands.
        s.transaction((tx) => tx.signatures.insert(signatureFixture(letter.id, { id: `w${w}-${i}`, email: `p${i}@example.org`, emailKey: `p${i}@example.org`, status: 'confirmed' }))),
      ),
    );
    const settled = await Promise.allSettled(runs);
    await holder;
    clearInterval(ticker);
    const failed = settled.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    assert.deepEqual(failed, [], 'no unit failed (no SQLITE_BUSY, no lost lock wait)');
    assert.equal(settled.filter((r) => r.status === 'fulfilled' && r.value === true).length, 300, 'one insert per address');
    assert.ok(waits > 0, 'a group met the other writer\'s lock');
    assert.ok(ticksWhileWaiting > 0, `a timer fired while a group waited for the lock (${waits} waits)`);
    // Each address once, whichever writer got it first; both connections read the same count.
    const rows = await sql<{ n: number }>`select count(*) as n from signatures where letter_id = ${letter.id}`.execute(b.db);
    assert.equal(Number(rows.rows[0]!.n), 300);
    assert.equal(await a.signatures.countConfirmed(letter.id), 300);
    assert.equal(await b.signatures.countConfirmed(letter.id), 300);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('a writer waits for another process\'s lock without blocking, then commits; past the wait it fails with SQLITE_BUSY', async () => {
  const [a, b] = await two('wait');
  const other = new Database(join(dir, 'wait.db'));
  try {
    const letter = letterFixture();
    await a.letters.insert(letter, versionsFixture);
    other.exec('begin immediate');
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const waiting = a.transaction((tx) => tx.signatures.insert(signatureFixture(letter.id)));
    let done = false;
    void waiting.finally(() => (done = true));
    // The other process holds the lock for a while: the writer waits, and this process keeps serving (timers run,
    // and reads on the same connection are answered meanwhile).
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(done, false, 'still waiting for the lock');
    assert.ok(ticks >= 5, `the event loop ran during the wait (${ticks} ticks)`);
    assert.equal((await a.letters.byId(letter.id))?.id, letter.id, 'a read is answered during the wait');
    other.exec('commit');
    assert.equal(await waiting, true);
    clearInterval(ticker);

    // Held past the limit: the group fails with SQLITE_BUSY and a clear message, and nothing of it lands.
    a.group.lockWaitMs = 150;
    other.exec('begin immediate');
    const sig = signatureFixture(letter.id);
    await assert.rejects(a.transaction((tx) => tx.signatures.insert(sig)), (e: Error & { code?: string }) => e.code === 'SQLITE_BUSY' && /another process held the write lock/.test(e.message));
    other.exec('commit');
    assert.equal(await b.signatures.byId(sig.id), undefined);
    // And the store works again once the lock is free.
    assert.equal(await a.transaction((tx) => tx.signatures.insert(sig)), true);
  } finally {
    other.close();
    await Promise.all([a.close(), b.close()]);
  }
});

test('the store\'s own writes outside a transaction (outbox retry, sessions, sign-in) wait for another process\'s lock without blocking', async () => {
  const [a, b] = await two('autocommit');
  const other = new Database(join(dir, 'autocommit.db'));
  try {
    const at = '2040-01-01T00:00:00.000Z';
    await a.outbox.enqueue({ id: 'job-retry', kind: 'mail', payload: { to: 'x@example.org', subject: 's', text: 't', lang: 'en', template: 'confirm' }, runAt: at, attempts: 0, createdAt: at });
    await a.auth.insertSession({ idHash: 'session-1', email: 'org@example.org', expiresAt: '2040-02-01T00:00:00.000Z', createdAt: at });
    other.exec('begin immediate');
    const started = Date.now();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    // As deliver-outbox.ts after a failed send, organiser-login.ts at sign-out, and the sign-in writes.
    const writes = Promise.all([
      a.outbox.retryLater('job-retry', '2040-01-01T00:05:00.000Z', 'SMTP down'),
      a.auth.deleteSession('session-1'),
      a.auth.insertLoginToken({ tokenHash: 'login-1', email: 'org@example.org', expiresAt: '2040-01-01T00:30:00.000Z', createdAt: at }),
      a.outbox.enqueue({ id: 'job-new', kind: 'mail', payload: { to: 'y@example.org', subject: 's', text: 't', lang: 'en', template: 'login' }, runAt: at, attempts: 0, createdAt: at }),
    ]);
    let done = false;
    void writes.finally(() => (done = true));
    await new Promise((r) => setTimeout(r, 100));
    // An autocommit statement would have waited in busy_timeout (5 s) with the event loop asleep, then failed.
    assert.ok(Date.now() - started < 1000, `the event loop was not blocked (${Date.now() - started} ms)`);
    assert.ok(ticks >= 5, `timers ran during the wait (${ticks})`);
    assert.equal(done, false, 'still waiting for the lock');
    other.exec('commit');
    await writes;
    clearInterval(ticker);
    const job = (await b.outbox.list({ limit: 10 })).find((j) => j.id === 'job-retry');
    assert.equal(job?.lastError, 'SMTP down');
    assert.equal(job?.runAt, '2040-01-01T00:05:00.000Z');
    assert.equal(await b.auth.session('session-1'), undefined);
    assert.equal((await b.auth.loginToken('login-1'))?.email, 'org@example.org');
    assert.ok((await b.outbox.list({ limit: 10 })).some((j) => j.id === 'job-new'));
  } finally {
    other.close();
    await Promise.all([a.close(), b.close()]);
  }
});

test('outbox claims from two writers never give one mail to both', async () => {
  const [a, b] = await two('claims');
  try {
    const now = '2040-01-01T00:00:00.000Z';
    const lease = '2040-01-01T01:00:00.000Z';
    for (let i = 0; i < 500; i++) {
      await a.outbox.enqueue({ id: `job-${i}`, kind: 'mail', payload: { to: 'x@example.org', subject: `${i}`, text: 't', lang: 'en', template: 'confirm' }, runAt: '2039-12-31T23:00:00.000Z', attempts: 0, createdAt: now });
    }
    const claimed = new Map<string, string[]>();
    const worker = async (s: SqliteStore, name: string) => {
      for (;;) {
        const batch = await Promise.all([s.outbox.claim(now, lease, 7), s.outbox.claim(now, lease, 5)]);
        if (!batch.flat().length) return;
        for (const j of batch.flat()) claimed.set(j.id, [...(claimed.get(j.id) ?? []), name]);
        // As a mail worker sends between claims: the other writer takes the lock meanwhile.
        await new Promise((r) => setTimeout(r, 1));
      }
    };
    await Promise.all([worker(a, 'a'), worker(b, 'b'), worker(a, 'a2'), worker(b, 'b2')]);
    assert.equal(claimed.size, 500, 'every job claimed');
    assert.deepEqual([...claimed].filter(([, by]) => by.length > 1), [], 'no job claimed twice');
    const by = new Set([...claimed.values()].map((x) => x[0]![0]));
    assert.deepEqual([...by].sort(), ['a', 'b'], 'both writers claimed jobs');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('folding counts from two writers while both sign: nothing counted twice or lost', async () => {
  const [a, b] = await two('fold');
  try {
    const letter = letterFixture();
    await a.letters.insert(letter, versionsFixture);
    let n = 0;
    const sign = async (s: SqliteStore) => {
      for (let i = 0; i < 40; i++) {
        await Promise.all(Array.from({ length: 10 }, () => {
          const k = n++;
          return s.transaction((tx) => tx.signatures.insert(signatureFixture(letter.id, { email: `f${k}@example.org`, emailKey: `f${k}@example.org`, status: 'confirmed', country: k % 2 ? 'IR' : 'SE' })));
        }));
      }
    };
    let folding = true;
    let folded = 0;
    const fold = async (s: SqliteStore) => {
      while (folding) {
        folded += await s.foldCounts(50);
        await new Promise((r) => setImmediate(r));
      }
    };
    const folders = [fold(a), fold(b)];
    await Promise.all([sign(a), sign(b)]);
    folding = false;
    await Promise.all(folders);
    while ((await a.foldCounts()) > 0);
    assert.ok(folded > 0, 'the writers folded while signing');
    const left = await sql<{ n: number }>`select count(*) as n from count_deltas`.execute(a.db);
    assert.equal(Number(left.rows[0]!.n), 0);
    const counts = await sql<{ n: number }>`select n from letter_counts where letter_id = ${letter.id}`.execute(b.db);
    assert.equal(Number(counts.rows[0]!.n), 800, 'the folded count is the number of signatures');
    assert.equal(await b.signatures.countConfirmed(letter.id), 800);
    assert.deepEqual((await b.signatures.stats(letter.id)).byCountry, { IR: 400, SE: 400 });
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('the write-lock signals: a waiting writer says so once per wait, tries at once when told the lock is free, and its group lands', async () => {
  const [a, b] = await two('signals');
  const other = new Database(join(dir, 'signals.db'));
  try {
    const letter = letterFixture();
    await a.letters.insert(letter, versionsFixture);
    let busy = 0;
    a.group.onLockBusy = () => busy++;
    let commits = 0;
    b.group.afterCommit = () => {
      commits++;
      a.group.lockReleased();
    };
    // Held by a writer that sends no signal (the CLI): a polls on its timer and says it waits once, not per tick.
    other.exec('begin immediate');
    const waiting = a.transaction((tx) => tx.signatures.insert(signatureFixture(letter.id, { id: 'sig-1' })));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(busy, 1, 'one notice for one wait');
    other.exec('commit');
    assert.equal(await waiting, true);

    // Held by b, which signals its COMMIT: a tries at once when told (its timer would fire only much later here),
    // and says it waits again only when a signalled try found the lock taken.
    busy = 0;
    let release!: () => void;
    const held = b.transaction(() => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 5));
    const second = a.transaction((tx) => tx.signatures.insert(signatureFixture(letter.id, { id: 'sig-2', email: 'two@example.org', emailKey: 'two@example.org' })));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(busy, 1);
    a.group.lockReleased(); // a stale notice while b still holds the lock: a tries, fails, and says again that it waits
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(busy, 2);
    release();
    await held;
    assert.equal(commits, 1);
    assert.equal(await second, true);
    assert.equal((await b.signatures.byId('sig-2'))?.id, 'sig-2');
  } finally {
    other.close();
    await Promise.all([a.close(), b.close()]);
  }
});
