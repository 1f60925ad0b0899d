/** SQLite group commit (group-commit.ts): units that arrive together share one COMMIT, each behind its own SAVEPOINT. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openSqliteStore } from './index.ts';
import { letterFixture, signatureFixture, versionsFixture } from '../store.case.ts';

const dir = mkdtempSync(join(tmpdir(), 'undersigned-group-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('sqlite group commit: a failing unit rolls back alone, the others land, answers come after the commit', async () => {
  const store = await openSqliteStore(join(dir, 'g.db'), { foldIntervalMs: 0 });
  try {
    const letter = letterFixture();
    await store.letters.insert(letter, versionsFixture);
    // 40 units started in one tick: they are grouped (the first runs at once, the rest join it).
    const runs = Array.from({ length: 40 }, (_, i) =>
      store.transaction(async (tx) => {
        const ok = await tx.signatures.insert(signatureFixture(letter.id, { id: `s${i}`, email: `p${i}@example.org`, emailKey: `p${i}@example.org` }));
        assert.equal(ok, true);
        if (i % 7 === 3) throw new Error(`unit ${i} fails`);
        return i;
      }),
    );
    const settled = await Promise.allSettled(runs);
    for (const [i, r] of settled.entries()) {
      if (i % 7 === 3) assert.equal(r.status === 'rejected' && (r.reason as Error).message, `unit ${i} fails`);
      else assert.deepEqual(r, { status: 'fulfilled', value: i });
    }
    for (let i = 0; i < 40; i++) assert.equal(Boolean(await store.signatures.byId(`s${i}`)), i % 7 !== 3, `s${i}`);
    // Two units of one group inserting the same address: the second sees the first (serial order), one row.
    const both = await Promise.all([0, 1].map(() => store.transaction((tx) => tx.signatures.insert(signatureFixture(letter.id, { id: `d${Math.random()}`, email: 'same@example.org', emailKey: 'same@example.org' })))));
    assert.deepEqual(both.sort(), [false, true]);
  } finally {
    await store.close();
  }
});

test('sqlite group commit: a unit that throws synchronously or after a failed statement does not break the group', async () => {
  const store = await openSqliteStore(join(dir, 'h.db'), { foldIntervalMs: 0 });
  try {
    const letter = letterFixture();
    await store.letters.insert(letter, versionsFixture);
    const runs = [
      store.transaction(() => { throw new Error('sync'); }),
      // A constraint failure (same primary key twice) inside a unit.
      store.transaction(async (tx) => {
        await tx.letters.insert(letterFixture({ id: 'x1', slug: 'x1' }), versionsFixture);
        await tx.letters.insert(letterFixture({ id: 'x1', slug: 'x2' }), versionsFixture);
      }),
      store.transaction(async (tx) => tx.letters.insert(letterFixture({ id: 'y1', slug: 'y1' }), versionsFixture)),
    ];
    const [a, b, c] = await Promise.allSettled(runs);
    assert.equal(a!.status, 'rejected');
    assert.equal(b!.status, 'rejected');
    assert.equal(c!.status, 'fulfilled');
    assert.equal(await store.letters.byId('x1'), undefined);
    assert.equal((await store.letters.byId('y1'))?.slug, 'y1');
  } finally {
    await store.close();
  }
});
