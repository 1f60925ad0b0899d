/**
 * Sequencer benchmark (figures only, no assertions): confirmations sequenced per second through the real SQLite
 * store — queued `sig` entries (with fresh commitments and openings, as confirm() writes them) given log indexes,
 * tiles, bundles and a signed checkpoint, one transaction per batch. Target (issue 4): ≥ 5,000/s.
 * Also: how fast the confirmations' entries are queued, and one small batch's latency.
 * `bench/run.ts` calls benchSequencer() when present; `node --import tsx bench/sequencer.ts` runs it alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';
import { nodeLogCrypto } from '../src/adapters/crypto/node-crypto.ts';
import { nodeSecrets } from '../src/adapters/node-secrets.ts';
import { mailTemplates } from '../src/adapters/mail/templates.ts';
import { generateKeyPair, parseSignerKey } from '../src/core/log/index.ts';
import type { Signature } from '../src/core/model.ts';
import type { Deps } from '../src/use-cases/deps.ts';
import { createLetter } from '../src/use-cases/create-letter.ts';
import { logSignature } from '../src/use-cases/steps/log-entries.ts';
import { Sequencer } from '../src/use-cases/workers/sequence-log.ts';
import { verifyStoreLogFor } from './sequencer-verify.ts';

const round = (x: number) => Math.round(x);

export async function benchSequencer(n = 50_000, batchSize = 5000): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-bench-seq-'));
  const store = await openSqliteStore(join(dir, 'bench.db'), { foldIntervalMs: 0 });
  try {
    const origin = 'bench.undersigned.example/log';
    const signer = parseSignerKey(nodeLogCrypto, generateKeyPair(nodeLogCrypto, origin, randomBytes(32)).skey);
    const clock = { now: () => new Date() };
    const deps: Deps = { store, clock, secrets: nodeSecrets, templates: mailTemplates, baseUrl: 'http://bench', log: { crypto: nodeLogCrypto, opening: () => new Uint8Array(randomBytes(32)) }, signals: { mailQueued() {}, logQueued() {}, letterChanged() {} } };
    const letter = await createLetter(deps, { slug: 'bench-letter', addressee: { name: 'Bench' }, defaultLang: 'en', versions: [{ lang: 'en', title: 'Bench', body: 'Bench letter.' }] }, { publish: true });
    const seq = new Sequencer(store, clock, { crypto: nodeLogCrypto, signer, origin, batchSize });
    await seq.drain();

    // Confirmed signatures with their queued entries, 1,000 per transaction (what confirm() writes, in bulk).
    let t0 = performance.now();
    const now = new Date().toISOString();
    for (let start = 0; start < n; start += 1000) {
      await store.transaction(async (tx) => {
        for (let i = start; i < Math.min(n, start + 1000); i++) {
          const sig: Signature = {
            id: nodeSecrets.newId(), letterId: letter.id, email: `s${i}@bench.example`, emailKey: `s${i}@bench.example`, name: `Signer ${i}`,
            visibility: 'public', lang: 'en', consentUpdates: false, status: 'confirmed', textVersion: 1, mailsSent: 0, imported: false,
            createdAt: now, updatedAt: now, confirmedAt: now,
          };
          await tx.signatures.insert(sig);
          await logSignature(tx, deps, letter, sig);
        }
      });
    }
    const queueMs = performance.now() - t0;

    t0 = performance.now();
    const sequenced = await seq.drain(10_000);
    const seqMs = performance.now() - t0;

    // Latency of a small batch (a quiet moment: one confirmation).
    await store.transaction(async (tx) => {
      const sig = { ...(await tx.signatures.byEmail(letter.id, 's0@bench.example'))! };
      await logSignature(tx, deps, letter, sig);
    });
    t0 = performance.now();
    await seq.runOnce();
    const oneMs = performance.now() - t0;

    // Sanity: the stored log verifies (not timed).
    const ok = await verifyStoreLogFor(store, signer.vkey, origin);
    return {
      store: 'sqlite (file, WAL)',
      confirmations: n,
      batchSize,
      sequenced,
      sequencedPerSecond: round((sequenced / seqMs) * 1000),
      sequencingMs: round(seqMs),
      queuedPerSecond: round((n / queueMs) * 1000),
      oneEntryBatchMs: Math.round(oneMs * 10) / 10,
      target: '≥ 5,000 confirmations/s sequenced',
      logVerifies: ok,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchSequencer(Number(process.argv[2] ?? 50_000)), null, 2));
}
