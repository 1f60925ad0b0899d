/**
 * PostgreSQL prepares the marked hot statements once per connection (named statements, postgres/index.ts and
 * sql/prepared.ts): the signing statement and a Prepared statement are in the connection's pg_prepared_statements
 * after use, each once however often it ran, and any other statement is sent unnamed as before.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { openPostgresStore } from './index.ts';
import { Prepared } from '../sql/prepared.ts';
import type { SqlStore } from '../sql/store.ts';
import type { Letter } from '../../../core/model.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres.ts';

let db: TestDatabase;
let store: SqlStore;
before(async () => {
  db = await createTestDatabase();
  // One connection, so that every statement below runs on the session whose prepared statements are read.
  store = await openPostgresStore(db.url, { max: 1, foldIntervalMs: 0 });
});
after(async () => {
  await store?.close();
  await db?.drop();
});

const prepared = async () =>
  (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements order by name`.execute(store.db)).rows;

test('a Prepared statement is a named statement on PostgreSQL, prepared once per connection; other statements are not', async () => {
  const get = new Prepared<{ token_hash: string }>((d, p) => d.selectFrom('signer_tokens').select('signature_id').where('token_hash', '=', p.token_hash));
  const put = new Prepared<{ token_hash: string; signature_id: string; purpose: string; created_at: string }>((d, p) => d.insertInto('signer_tokens').values(p));
  for (let i = 0; i < 7; i++) await put.execute(store.db, 'postgres', { token_hash: `h${i}`, signature_id: `s${i}`, purpose: 'withdraw', created_at: '2026-01-01' });
  // Past the fifth execution PostgreSQL may switch to a generic plan: the answers stay the same.
  for (let i = 0; i < 7; i++) assert.deepEqual((await get.execute(store.db, 'postgres', { token_hash: `h${i}` })).rows, [{ signature_id: `s${i}` }]);
  await store.db.selectFrom('signer_tokens').select('token_hash').where('token_hash', '=', 'h0').execute();
  const named = await prepared();
  const ours = named.filter((s) => /signer_tokens/.test(s.statement));
  assert.equal(ours.length, 2, JSON.stringify(named));
  assert.ok(ours.every((s) => s.name.startsWith('undersigned_')));
  // In a transaction too (the same connection, the statement already prepared).
  await store.db.transaction().execute(async (trx) => {
    assert.deepEqual((await get.execute(trx, 'postgres', { token_hash: 'h3' })).rows, [{ signature_id: 's3' }]);
  });
  assert.equal((await prepared()).filter((s) => /signer_tokens/.test(s.statement)).length, 2);
});

test('the statement that inserts the signings of a moment is prepared once and keeps answering per signing', async () => {
  const at = new Date().toISOString();
  const letter: Letter = {
    id: 'letter-named', slug: 'named', addressee: { name: 'A' }, defaultLang: 'en', state: 'open', textVersion: 1, organisers: ['o@named.example'],
    imported: false, createdAt: at, updatedAt: at, openedAt: at,
  };
  await store.letters.insert(letter, [{ lang: 'en', title: 'Named', body: 'Text.' }]);
  const first = (i: number) => {
    const now = new Date().toISOString();
    const id = `sig-${i}`;
    return {
      letter: { id: letter.id, state: letter.state, textVersion: letter.textVersion, updatedAt: letter.updatedAt },
      signature: {
        id, letterId: letter.id, email: `p${i % 5}@named.example`, emailKey: `p${i % 5}@named.example`, name: `Person ${i}`, visibility: 'public' as const, lang: 'en',
        consentUpdates: false, status: 'pending' as const, textVersion: 1, tokenHash: `th-${i}`, tokenExpiresAt: now, mailsSent: 1, imported: false, createdAt: now, updatedAt: now,
      },
      signerToken: { tokenHash: `wt-${i}`, purpose: 'withdraw' as const, createdAt: now },
      job: { id: `confirm:${id}:1`, kind: 'mail' as const, payload: { to: `p${i % 5}@named.example`, subject: 's', text: 't' } as never, runAt: now, attempts: 0, createdAt: now },
    };
  };
  // One at a time (one statement each), then at once: ten statements on one connection, five addresses.
  const inserted: boolean[] = [];
  for (let i = 0; i < 7; i++) inserted.push(await store.insertFirstSignature(first(i)));
  inserted.push(...(await Promise.all([7, 8, 9].map((i) => store.insertFirstSignature(first(i))))));
  assert.deepEqual(inserted, [true, true, true, true, true, false, false, false, false, false]);
  assert.equal((await prepared()).filter((s) => /json_to_recordset/.test(s.statement)).length, 1);
});

test('a table altered by another process: the prepared reads of signatures keep answering on the same connection', async () => {
  const at = new Date().toISOString();
  const letter: Letter = {
    id: 'letter-alter', slug: 'alter', addressee: { name: 'A' }, defaultLang: 'en', state: 'open', textVersion: 1, organisers: ['o@alter.example'],
    imported: false, createdAt: at, updatedAt: at, openedAt: at,
  };
  await store.letters.insert(letter, [{ lang: 'en', title: 'Alter', body: 'Text.' }]);
  const sig = {
    id: 'sig-alter', letterId: letter.id, email: 'a@alter.example', emailKey: 'a@alter.example', name: 'Alter Ego', visibility: 'public' as const, lang: 'en',
    consentUpdates: false, status: 'pending' as const, textVersion: 1, tokenHash: 'th-alter', tokenExpiresAt: at, mailsSent: 1, imported: false, createdAt: at, updatedAt: at,
  };
  await store.signatures.insert(sig);
  // Past the fifth execution: PostgreSQL keeps the plan (and its result type) of a named statement.
  for (let i = 0; i < 7; i++) {
    assert.equal((await store.signatures.byEmail(letter.id, sig.emailKey))?.id, sig.id);
    assert.equal((await store.signatures.byTokenHash(sig.tokenHash))?.id, sig.id);
  }
  // A rolling deploy: another process's migration adds a column while this connection keeps its statements.
  const other = await openPostgresStore(db.url, { max: 1, foldIntervalMs: 0, migrate: false });
  try {
    await sql`alter table signatures add column added_elsewhere text`.execute(other.db);
  } finally {
    await other.close();
  }
  assert.equal((await store.signatures.byEmail(letter.id, sig.emailKey))?.name, 'Alter Ego');
  assert.equal((await store.signatures.byTokenHash(sig.tokenHash))?.id, sig.id);
  assert.ok((await prepared()).some((s) => /from "signatures"/.test(s.statement) && !/select \*/.test(s.statement)), 'named, with its columns');
});

test('a named statement gone stale (0A000) or forgotten by the server (26000) is prepared again and the call answers', async () => {
  // A `select *` (as the signature reads were): its result type changes with the table.
  const all = new Prepared<{ token_hash: string }>((d, p) => d.selectFrom('signer_tokens').selectAll().where('token_hash', '=', p.token_hash));
  const put = new Prepared<{ token_hash: string; signature_id: string; purpose: string; created_at: string }>((d, p) => d.insertInto('signer_tokens').values(p));
  await put.execute(store.db, 'postgres', { token_hash: 'stale-1', signature_id: 's-stale', purpose: 'withdraw', created_at: '2026-01-01' });
  const read = async (on = store.db as Parameters<typeof all.execute>[0]) => (await all.execute<{ signature_id: string }>(on, 'postgres', { token_hash: 'stale-1' })).rows[0]?.signature_id;
  for (let i = 0; i < 7; i++) assert.equal(await read(), 's-stale');
  await sql`alter table signer_tokens add column stale_a text`.execute(store.db);
  assert.equal(await read(), 's-stale', 'outside a transaction: deallocated, prepared again, answered');
  assert.equal(await read(), 's-stale');

  // Inside a transaction the failed execution has aborted it: the caller gets the error once, and the next calls work.
  await sql`alter table signer_tokens add column stale_b text`.execute(store.db);
  await assert.rejects(store.db.transaction().execute(async (trx) => read(trx)), (e: { code?: string }) => e.code === '0A000');
  assert.equal(await store.db.transaction().execute(async (trx) => read(trx)), 's-stale', 'in the next transaction: sent unnamed');
  assert.equal(await read(), 's-stale', 'outside one: the stale name deallocated and prepared again');
  assert.equal(await read(), 's-stale');

  // The server forgot every prepared statement (as after DISCARD ALL, or another server connection behind a pooler).
  await sql`deallocate all`.execute(store.db);
  assert.equal(await read(), 's-stale');
  assert.equal(await store.signatures.byTokenHash('no-such-token'), undefined);
  assert.equal((await prepared()).filter((s) => /signer_tokens/.test(s.statement) && /select/.test(s.statement)).length, 1, 'one named select of signer_tokens again');
});

test('UNDERSIGNED_PG_NAMED_STATEMENTS=off: nothing is prepared by name (behind PgBouncer in transaction mode)', async () => {
  const plain = await openPostgresStore(db.url, { max: 1, foldIntervalMs: 0, migrate: false, namedStatements: false });
  try {
    assert.equal(await plain.signatures.byTokenHash('no-such-token'), undefined);
    assert.equal(await plain.signatures.byEmail('no-such-letter', 'x@example.org'), undefined);
    const names = (await sql<{ name: string }>`select name from pg_prepared_statements`.execute(plain.db)).rows;
    assert.deepEqual(names, []);
  } finally {
    await plain.close();
  }
});
