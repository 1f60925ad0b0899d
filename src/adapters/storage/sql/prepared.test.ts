/** Prepared statements (prepared.ts): compiled once, the parameters follow their names whatever the order of the keys. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openSqliteStore } from '../sqlite/index.ts';
import { Prepared } from './prepared.ts';

const dir = mkdtempSync(join(tmpdir(), 'undersigned-prepared-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a prepared statement sends each value as its named parameter; a missing value or a value that is not a parameter is refused', async () => {
  const store = await openSqliteStore(join(dir, 'p.db'), { foldIntervalMs: 0 });
  try {
    const put = new Prepared<{ token_hash: string; signature_id: string; purpose: string; created_at: string }>((db, p) =>
      db.insertInto('signer_tokens').values(p).onConflict((oc) => oc.column('token_hash').doUpdateSet({ purpose: p.purpose, created_at: p.created_at })));
    const get = new Prepared<{ token_hash: string }>((db, p) => db.selectFrom('signer_tokens').selectAll().where('token_hash', '=', p.token_hash));
    await put.execute(store.db, 'sqlite', { token_hash: 'h1', signature_id: 's1', purpose: 'receipt', created_at: '2026-01-01' });
    // Keys in another order, and the conflict branch (values used twice).
    await put.execute(store.db, 'sqlite', { created_at: '2026-01-02', purpose: 'withdraw', signature_id: 's1', token_hash: 'h1' });
    assert.deepEqual((await get.execute(store.db, 'sqlite', { token_hash: 'h1' })).rows, [{ token_hash: 'h1', signature_id: 's1', purpose: 'withdraw', created_at: '2026-01-02' }]);
    await assert.rejects(get.execute(store.db, 'sqlite', { token_hash: undefined as unknown as string }), /no value for token_hash/);
    const shaped = new Prepared<{ n: number }>((db, p) => db.selectFrom('signer_tokens').selectAll().limit(p.n).offset(1));
    await assert.rejects(shaped.execute(store.db, 'sqlite', { n: 1 }), /not one of the named values/);
  } finally {
    await store.close();
  }
});
