/**
 * Crash safety (issue 5): a real `undersigned serve` under a signing and confirming load is killed with SIGKILL in
 * the middle, restarted on the same database, and reconciled:
 *   - every confirmation the client saw acknowledged (200) is confirmed and counted;
 *   - nothing is counted twice: the count (store, stats, API) equals the number of confirmed rows, and no (letter,
 *     email) has two rows;
 *   - every signature the client saw accepted (202) exists with its confirmation mail job in the outbox, and every
 *     such job is eventually sent; a job the killed process had not started sending is sent exactly once (a job it
 *     was sending when killed may be sent again: delivery is at least once, and its attempts say so).
 * The killed worker's leases (60 s) are expired by the test instead of waited for. On SQLite and on PostgreSQL; and on
 * SQLite with `serve --processes 2`, where one worker is killed and the other keeps serving the load meanwhile.
 * Each request of the load gives up after REQUEST_TIMEOUT_MS, and a request that timed out counts as the server gone
 * (never as acknowledged): a connection the primary was handing to the worker as it was killed is never answered
 * nor closed (a limit of node:cluster's round-robin, docs/decisions/0004), and would otherwise hold the test for
 * undici's headers timeout (300 s).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';
import { openPostgresStore } from '../src/adapters/storage/postgres/index.ts';
import type { SqlStore } from '../src/adapters/storage/sql/store.ts';
import { readDevOutbox } from '../src/adapters/mail/dev-outbox.ts';
import { nodeSecrets } from '../src/adapters/node-secrets.ts';
import { letterFixture, signatureFixture, versionsFixture } from '../src/adapters/storage/store.case.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';
import { eventually, postJson, REQUEST_TIMEOUT_MS, startServe, type Served } from './support/serve.ts';

const PENDING = 400;
const WORKERS = 8;

interface Setup {
  env: Record<string, string>;
  /** More arguments for `serve` (e.g. --processes 2). */
  args?: string[];
  open(): Promise<SqlStore>;
  cleanup(): Promise<void>;
  /** The crash: SIGKILL to the server (default), or to one worker of several. */
  kill?(server: Served): Promise<void>;
}

/** SIGKILL to the first worker of a `serve --processes N` (its pids are in the listening line). */
async function killOneWorker(server: Served): Promise<void> {
  const pid = Number(/processes \(pids (\d+)/.exec(server.stderr())![1]);
  process.kill(pid, 'SIGKILL');
  await eventually(async () => (/stopped unexpectedly \(killed by SIGKILL\)/.test(server.stderr()) ? true : undefined), 10_000, 'the primary to see the worker die');
}

async function run(setup: Setup) {
  const dataDir = setup.env.UNDERSIGNED_DATA_DIR!;
  const slug = 'crash';
  // Pending signatures with tokens the client knows (as if their mails had been read).
  let store = await setup.open();
  const letter = letterFixture({ slug, defaultLang: 'en' });
  await store.letters.insert(letter, versionsFixture);
  const tokens = new Map<string, string>();
  const future = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();
  for (let i = 0; i < PENDING; i++) {
    const token = `crash-token-${i}-${nodeSecrets.newToken()}`;
    const s = signatureFixture(letter.id, { email: `pending${i}@example.org`, emailKey: `pending${i}@example.org`, country: i % 2 ? 'IR' : 'DE', tokenHash: nodeSecrets.hashToken(token), tokenExpiresAt: future, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() });
    await store.signatures.insert(s);
    tokens.set(token, s.emailKey);
  }
  await store.close();

  let server: Served = await startServe(setup.env, { args: setup.args ?? [] });
  const confirmedAcks = new Set<string>();
  const signedAcks = new Set<string>();
  let stop = false;
  let n = 0;
  const queue = [...tokens.keys()];
  const confirmer = async () => {
    while (!stop && queue.length) {
      const token = queue.shift()!;
      try {
        const r = await postJson(`${server.url}/api/v1/confirmations`, { token }, REQUEST_TIMEOUT_MS);
        if (r.status === 200) confirmedAcks.add(tokens.get(token)!);
      } catch {
        return; // the server is gone (the connection refused or reset, or no answer within the timeout)
      }
    }
  };
  const signer = async () => {
    while (!stop) {
      const email = `signer${n++}@example.org`;
      try {
        const r = await postJson(`${server.url}/api/v1/letters/${slug}/signatures`, { name: `Signer ${n}`, email, country: 'SE', lang: 'en' }, REQUEST_TIMEOUT_MS);
        if (r.status === 202) signedAcks.add(email);
      } catch {
        return;
      }
    }
  };
  const load = [...Array.from({ length: WORKERS }, confirmer), ...Array.from({ length: WORKERS }, signer)];
  // Kill in the middle: once some confirmations and signatures went through, with more in flight.
  await eventually(async () => (confirmedAcks.size >= 40 && signedAcks.size >= 40 ? true : undefined), 30_000, 'the load to get going');
  await (setup.kill ?? ((s: Served) => s.kill9()))(server);
  stop = true;
  await Promise.all(load);
  assert.ok(queue.length > 0, 'the kill came before the load ended');
  // Whatever survived the crash (the other worker) stops now, so that the checks below see a quiet database.
  await server.stop();

  // The killed worker's leases would end in 60 s; end them now.
  store = await setup.open();
  await sql`update outbox set locked_until = null where done_at is null`.execute(store.db);
  await store.close();

  server = await startServe(setup.env, { args: setup.args ?? [] });
  try {
    store = await setup.open();
    try {
      // 1. Every acknowledged confirmation is confirmed.
      for (const email of confirmedAcks) assert.equal((await store.signatures.byEmail(letter.id, email))?.status, 'confirmed', `${email} was acknowledged`);
      // 2. Counted once: count == confirmed rows, no (letter, email) twice.
      const rows = await sql<{ n: string | number }>`select count(*) as n from signatures where letter_id = ${letter.id} and status = 'confirmed'`.execute(store.db);
      const confirmedRows = Number(rows.rows[0]!.n);
      assert.ok(confirmedRows >= confirmedAcks.size);
      assert.equal(await store.signatures.countConfirmed(letter.id), confirmedRows, 'count == confirmed rows');
      const st = await store.signatures.stats(letter.id);
      assert.equal(st.count, confirmedRows);
      assert.equal(Object.values(st.byCountry).reduce((a, b) => a + b, 0), confirmedRows);
      while ((await store.foldCounts()) > 0);
      assert.equal(await store.signatures.countConfirmed(letter.id), confirmedRows, 'the same after folding');
      const dups = await sql`select email_key from signatures where letter_id = ${letter.id} group by email_key having count(*) > 1`.execute(store.db);
      assert.deepEqual(dups.rows, [], 'no address twice');
      await eventually(async () => {
        const r = (await (await fetch(`${server.url}/api/v1/letters/${slug}`)).json()) as { count: number };
        return r.count === confirmedRows ? true : undefined;
      }, 10_000, 'the restarted server to show the count');

      // 3. Accepted signatures exist, each with its confirmation job, eventually sent.
      const jobsFor = async () => {
        const jobs = await store.outbox.list({ limit: 1_000_000 });
        return new Map(jobs.filter((j) => j.payload.template === 'confirm').map((j) => [j.payload.to, j]));
      };
      const initial = await jobsFor();
      for (const email of signedAcks) {
        assert.equal((await store.signatures.byEmail(letter.id, email))?.status, 'pending', `${email} was accepted`);
        assert.ok(initial.get(email), `a confirmation job for ${email}`);
      }
      const jobs = await eventually(async () => {
        const m = await jobsFor();
        return [...signedAcks].every((e) => m.get(e)?.doneAt) ? m : undefined;
      }, 60_000, 'every accepted signature\'s mail to be sent');
      const mails = new Map<string, number>();
      for (const m of readDevOutbox(join(dataDir, 'outbox'), 1_000_000)) if (m.template === 'confirm') mails.set(m.to, (mails.get(m.to) ?? 0) + 1);
      for (const email of signedAcks) {
        const sent = mails.get(email) ?? 0;
        const attempts = jobs.get(email)!.attempts;
        assert.ok(sent >= 1, `${email} was mailed`);
        assert.ok(sent <= attempts, `${email}: ${sent} mails for ${attempts} attempts`);
        if (attempts === 1) assert.equal(sent, 1, `${email} mailed once`);
      }
      return { confirmedAcks: confirmedAcks.size, signedAcks: signedAcks.size, confirmedRows };
    } finally {
      await store.close();
    }
  } finally {
    await server.stop();
  }
}

describe('kill -9 during a signing and confirming load', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups) await c().catch(() => undefined);
  });

  test('SQLite: nothing acknowledged is lost, nothing counted twice, every accepted mail sent', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-crash-sqlite-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const r = await run({
      env: { UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: 'off' },
      open: () => openSqliteStore(join(dir, 'undersigned.db'), { foldIntervalMs: 0 }),
      cleanup: async () => undefined,
    });
    assert.ok(r.confirmedAcks > 0 && r.signedAcks > 0);
    t.diagnostic(JSON.stringify(r));
  });

  test('SQLite, serve --processes 2, one worker killed: nothing acknowledged is lost, nothing counted twice, every accepted mail sent', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-crash-cluster-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const r = await run({
      env: { UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: 'off' },
      args: ['--processes', '2'],
      kill: killOneWorker,
      open: () => openSqliteStore(join(dir, 'undersigned.db'), { foldIntervalMs: 0 }),
      cleanup: async () => undefined,
    });
    assert.ok(r.confirmedAcks > 0 && r.signedAcks > 0);
    t.diagnostic(JSON.stringify(r));
  });

  test('PostgreSQL: nothing acknowledged is lost, nothing counted twice, every accepted mail sent', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-crash-pg-'));
    const db: TestDatabase = await createTestDatabase();
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }), () => db.drop());
    const r = await run({
      env: { UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_DATABASE_URL: db.url },
      open: () => openPostgresStore(db.url, { foldIntervalMs: 0 }),
      cleanup: async () => undefined,
    });
    assert.ok(r.confirmedAcks > 0 && r.signedAcks > 0);
    t.diagnostic(JSON.stringify(r));
  });
});
