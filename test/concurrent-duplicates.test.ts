/**
 * Duplicates confirmed at the same moment (issue 14): scoring runs after a confirmation's commit, so 20 lookalike
 * signatures confirmed at once — whose transactions cannot see each other's keys on PostgreSQL — must still queue
 * exactly the review pairs that the same 20 confirmed one after another queue, each pair once (never both ways
 * round). And a confirmation whose process stopped between its commit and its scoring is scored by the worker's
 * sweep, once, however many sweeps run at once. On SQLite and PostgreSQL, through the real confirm use-case.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../src/core/ports.ts';
import type { Deps } from '../src/use-cases/deps.ts';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';
import { openPostgresStore } from '../src/adapters/storage/postgres/index.ts';
import { nodeLogCrypto } from '../src/adapters/crypto/node-crypto.ts';
import { nodeSecrets } from '../src/adapters/node-secrets.ts';
import { mailTemplates } from '../src/adapters/mail/templates.ts';
import { confirm } from '../src/use-cases/confirm.ts';
import { keyForScoring, scoreUnscored } from '../src/use-cases/steps/flag-duplicates.ts';
import { logPublishedTexts } from '../src/use-cases/steps/log-entries.ts';
import { letterFixture, signatureFixture, versionsFixture } from '../src/adapters/storage/store.case.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';

/** Twenty spellings of two people (and one stranger), in both scripts: many pairs score, some do not. */
const NAMES: [string, string | undefined][] = [
  ['Hassan Rouhani', undefined], ['Hasan Rouhani', undefined], ['Hassan Rohani', undefined], ['Hasan Rohani', undefined],
  ['Hassan Rowhani', undefined], ['حسن روحانی', undefined], ['حسن روحانی', 'Hassan Rouhani'], ['حسن روحاني', undefined],
  ['Hossein Rouhani', undefined], ['Hassan Rouhany', undefined], ['Maryam Karimi', undefined], ['Maryam Karimy', undefined],
  ['Mariam Karimi', undefined], ['مریم کریمی', undefined], ['مریم کریمی', 'Maryam Karimi'], ['Maryam K. Karimi', undefined],
  ['Miriam Karimi', undefined], ['Maryam Karami', undefined], ['Anna Müller', undefined], ['Hassan R. Rouhani', undefined],
];

function depsFor(store: Store): Deps {
  return {
    store,
    clock: { now: () => new Date() },
    secrets: nodeSecrets,
    templates: mailTemplates,
    baseUrl: 'http://dups.test',
    log: { crypto: nodeLogCrypto, opening: () => new Uint8Array(32) },
    signals: { mailQueued() {}, logQueued() {}, letterChanged() {} },
  } as Deps;
}

/** A letter with the 20 lookalikes pending; their confirmation tokens, in the order of NAMES. */
async function lookalikes(deps: Deps): Promise<{ letterId: string; tokens: string[] }> {
  const letter = letterFixture({ openedAt: new Date().toISOString() });
  await deps.store.letters.insert(letter, versionsFixture);
  const withText = (await deps.store.letters.byId(letter.id))!;
  await deps.store.transaction((tx) => logPublishedTexts(tx, deps, withText));
  const tokens: string[] = [];
  for (const [i, [name, nameAlt]] of NAMES.entries()) {
    const token = `lookalike-token-${letter.id}-${i}`;
    tokens.push(token);
    assert.ok(await deps.store.signatures.insert(signatureFixture(letter.id, { name, nameAlt, tokenHash: nodeSecrets.hashToken(token), tokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString() })));
  }
  return { letterId: letter.id, tokens };
}

/** The review pairs of a letter as unordered pairs of names (with their band); also checks no pair is there twice. */
async function pairsOf(store: Store, letterId: string): Promise<string[]> {
  const reviews = await store.reviews.list(letterId);
  const names = new Map<string, string>();
  for (const r of reviews) {
    for (const id of [r.signatureId, r.otherId]) {
      const s = (await store.signatures.byId(id))!;
      names.set(id, `${s.name}/${s.nameAlt ?? ''}`);
    }
  }
  const pairs = reviews.map((r) => `${[names.get(r.signatureId)!, names.get(r.otherId)!].sort().join(' ~ ')} (${r.band})`).sort();
  const ids = reviews.map((r) => [r.signatureId, r.otherId].sort().join(' '));
  assert.equal(new Set(ids).size, ids.length, `a pair queued twice: ${JSON.stringify(pairs)}`);
  return pairs;
}

const setups: { name: string; open: () => Promise<{ store: Store; done: () => Promise<void> }> }[] = [
  {
    name: 'SQLite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'undersigned-dups-'));
      const store = await openSqliteStore(join(dir, 'undersigned.db'), { foldIntervalMs: 0 });
      return { store, done: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const db: TestDatabase = await createTestDatabase();
      const store = await openPostgresStore(db.url, { foldIntervalMs: 0 });
      return { store, done: async () => { await store.close(); await db.drop(); } };
    },
  },
];

for (const setup of setups) {
  describe(`duplicates confirmed at the same moment: ${setup.name}`, () => {
    let opened: { store: Store; done: () => Promise<void> } | undefined;
    after(async () => opened?.done());

    test('20 lookalikes confirmed at once queue the pairs a serial run queues, each once', async () => {
      opened = await setup.open();
      const deps = depsFor(opened.store);
      const serial = await lookalikes(deps);
      for (const token of serial.tokens) await confirm(deps, token);
      const expected = await pairsOf(opened.store, serial.letterId);
      assert.ok(expected.length >= 20, `the lookalikes make pairs: ${expected.length}`);

      const atOnce = await lookalikes(deps);
      const results = await Promise.all(atOnce.tokens.map((token) => confirm(deps, token)));
      assert.deepEqual(results.map((r) => r.signature.status), Array(20).fill('confirmed'));
      assert.deepEqual(await pairsOf(opened.store, atOnce.letterId), expected);
      assert.deepEqual(await opened.store.reviews.unscored(100), [], 'every confirmation scored');
    });

    test('a confirmation left unscored (stopped after its commit) is scored by the sweep, once, with sweeps at once', async () => {
      const deps = depsFor(opened!.store);
      const { letterId, tokens } = await lookalikes(deps);
      for (const token of tokens.slice(0, 19)) await confirm(deps, token);
      const before = (await opened!.store.reviews.list(letterId)).length;
      // The last one's commit as confirm() makes it, without the scoring that follows it: what a kill -9 leaves.
      const sig = (await opened!.store.signatures.byTokenHash(nodeSecrets.hashToken(tokens[19]!)))!;
      await opened!.store.transaction(async (tx) => {
        const confirmed = { ...sig, status: 'confirmed' as const, confirmedAt: new Date().toISOString() };
        assert.ok(await tx.signatures.updateIfUnchanged(confirmed, sig));
        await keyForScoring(tx, confirmed);
      });
      assert.deepEqual(await opened!.store.reviews.unscored(10), [{ letterId, signatureId: sig.id }]);
      const sweeps = await Promise.all(Array.from({ length: 20 }, () => scoreUnscored(deps)));
      const added = (await opened!.store.reviews.list(letterId)).length - before;
      assert.ok(added > 0, 'the stopped confirmation was scored');
      assert.equal(sweeps.reduce((a, s) => a + s.reviews, 0), added, 'its reviews queued by one sweep alone');
      await pairsOf(opened!.store, letterId);
      assert.deepEqual(await opened!.store.reviews.unscored(10), []);
      assert.equal((await scoreUnscored(deps)).scored, 0, 'nothing left for the next sweep');
    });
  });
}
