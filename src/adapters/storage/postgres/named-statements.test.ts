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
