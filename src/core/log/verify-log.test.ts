import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeLogCrypto as c } from '../../adapters/crypto/node-crypto.ts';
import { fromHex } from './bytes.ts';
import { LogError } from './errors.ts';
import { makeCheckpoint } from './checkpoint.ts';
import { commitContact, commitName, encodeEntry, letterTextHash, type LogEntry } from './entries.ts';
import { leafHash } from './merkle.ts';
import { MemoryTileStore } from './memory-tiles.ts';
import { generateKeyPair, parseSignerKey, parseVerifierKey } from './note.ts';
import { TileLogBuilder, entriesPath, tilePath } from './tiles.ts';
import { verifyLog } from './verify-log.ts';

const ORIGIN = 'undersigned.example/log';
const KEY = generateKeyPair(c, ORIGIN, fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'));
const signer = parseSignerKey(c, KEY.skey);
const verifier = parseVerifierKey(c, KEY.vkey);

/** A log of one letter with `n - 1` signatures, every 10th withdrawn. */
function makeLog(n: number) {
  const store = new MemoryTileStore();
  const b = TileLogBuilder.empty(c);
  const text = letterTextHash(c, 'We ask for a pony.\n');
  const leafs: Uint8Array[] = [];
  const add = (e: LogEntry) => {
    const bytes = encodeEntry(e);
    leafs.push(leafHash(c, bytes));
    return b.add(bytes);
  };
  add({ type: 'letter', letter: 'pony', time: 1, text });
  let sigs = 0;
  let withdrawn = 0;
  const checkpoints = new Map<number, string>();
  const publish = () => {
    const batch = b.flush();
    store.write(batch);
    checkpoints.set(batch.size, makeCheckpoint(ORIGIN, batch.size, batch.root, [signer]));
  };
  while (b.size < n) {
    const i = b.size;
    if (i % 10 === 0 && i > 20) {
      add({ type: 'withdraw', letter: 'pony', time: 3, ref: i - 15, refHash: leafs[i - 15]!, reason: 'signer' });
      withdrawn++;
    } else {
      const o = new Uint8Array(32).fill(i & 255);
      add({ type: 'sig', letter: 'pony', text, time: 2, name: commitName(c, o, `Signer ${i}`), contact: commitContact(c, o, `s${i}@example.org`) });
      sigs++;
    }
    if (b.size % 700 === 0) publish();
  }
  publish();
  return { store, checkpoint: checkpoints.get(n)!, checkpoints, root: b.root(), sigs, withdrawn };
}

const opts = (store: MemoryTileStore, checkpoint: string) => ({ crypto: c, reader: store, checkpoint, verifiers: [verifier], origin: ORIGIN });

test('a well-formed log verifies, with counts, progress and the previous checkpoint', async () => {
  const log = makeLog(70000);
  const progress: number[] = [];
  let seen = 0;
  const r = await verifyLog({
    ...opts(log.store, log.checkpoint),
    previous: { size: 2100, root: (await verifyLog(opts(log.store, log.checkpoints.get(2100)!))).root! },
    onProgress: (p) => progress.push(p.entries),
    onEntry: () => seen++,
  });
  assert.deepEqual(r.problems, []);
  assert.ok(r.ok);
  assert.equal(r.entries, 70000);
  assert.equal(seen, 70000);
  assert.equal(progress.length, Math.ceil(70000 / 256));
  assert.equal(progress.at(-1), 70000);
  assert.equal(r.tilesChecked, 274 + 2 + 1);
  assert.deepEqual(r.letters, [
    { letter: 'pony', versions: 1, signatures: log.sigs, withdrawn: log.withdrawn, removed: { signer: 0, duplicate: 0, fraud: 0, legal: 0 }, count: log.sigs - log.withdrawn, sources: { paper: 0, imported: 0 }, duplicates: { signatures: 0, cancellations: 0 } },
  ]);
});

test('small and empty logs verify', async () => {
  for (const n of [1, 255, 256, 257]) {
    const log = makeLog(n);
    const r = await verifyLog(opts(log.store, log.checkpoint));
    assert.ok(r.ok, `size ${n}: ${JSON.stringify(r.problems)}`);
  }
  const empty = makeCheckpoint(ORIGIN, 0, c.sha256(new Uint8Array(0)), [signer]);
  const r = await verifyLog(opts(new MemoryTileStore(), empty));
  assert.ok(r.ok);
  assert.equal(r.entries, 0);
});

function tamper(store: MemoryTileStore, path: string, at: number): void {
  const data = store.files.get(path)!.slice();
  data[at]! ^= 0x01;
  store.files.set(path, data);
}

test('one altered byte in a tile fails verification', async () => {
  for (const path of [tilePath({ level: 0, index: 3, width: 256 }), tilePath({ level: 1, index: 1, width: 17 }), tilePath({ level: 2, index: 0, width: 1 })]) {
    const log = makeLog(70000);
    tamper(log.store, path, 31);
    const r = await verifyLog(opts(log.store, log.checkpoint));
    assert.equal(r.ok, false);
    assert.deepEqual(r.problems.map((p) => `${p.code} ${p.path}`), [`TILE_MISMATCH ${path}`]);
  }
});

test('one altered byte in an entry fails verification', async () => {
  const log = makeLog(3000);
  // Byte 100 of bundle 2 lies inside an entry's text (not a length prefix).
  tamper(log.store, entriesPath(2, 256), 100);
  const r = await verifyLog(opts(log.store, log.checkpoint));
  assert.equal(r.ok, false);
  const codes = r.problems.map((p) => p.code);
  assert.ok(codes.includes('ROOT_MISMATCH'), codes.join());
  assert.ok(codes.includes('TILE_MISMATCH'));
  assert.equal(r.problems.find((p) => p.code === 'TILE_MISMATCH')!.path, tilePath({ level: 0, index: 2, width: 256 }));
});

test('truncated or missing bundles and missing tiles are reported', async () => {
  const log = makeLog(1000);
  const p = entriesPath(1, 256);
  log.store.files.set(p, log.store.files.get(p)!.subarray(0, 500));
  let r = await verifyLog(opts(log.store, log.checkpoint));
  assert.equal(r.ok, false);
  assert.equal(r.problems[0]!.code, 'BAD_BUNDLE');
  assert.equal(r.root, null);

  const log2 = makeLog(1000);
  log2.store.files.delete(tilePath({ level: 0, index: 0, width: 256 }));
  r = await verifyLog(opts(log2.store, log2.checkpoint));
  assert.deepEqual(r.problems.map((x) => x.code), ['TILE_UNREADABLE']);

  const log3 = makeLog(1000);
  log3.store.files.delete(entriesPath(3, 1000 % 256));
  r = await verifyLog(opts(log3.store, log3.checkpoint));
  assert.deepEqual(r.problems.map((x) => x.code), ['BUNDLE_UNREADABLE']);
});

test('a checkpoint that does not match the entries, a fork, a rollback, a wrong key', async () => {
  const log = makeLog(1000);
  // A correctly signed checkpoint with a different root (log equivocation).
  const forged = makeCheckpoint(ORIGIN, 1000, new Uint8Array(32), [signer]);
  let r = await verifyLog(opts(log.store, forged));
  assert.deepEqual(r.problems.map((x) => x.code), ['ROOT_MISMATCH']);
  r = await verifyLog({ ...opts(log.store, log.checkpoint), previous: { size: 700, root: new Uint8Array(32) } });
  assert.deepEqual(r.problems.map((x) => x.code), ['PREVIOUS_MISMATCH']);
  r = await verifyLog({ ...opts(log.store, log.checkpoint), previous: { size: 5000, root: new Uint8Array(32) } });
  assert.equal(r.problems[0]!.code, 'PREVIOUS_MISMATCH');
  const other = parseVerifierKey(c, generateKeyPair(c, ORIGIN, new Uint8Array(32).fill(9)).vkey);
  await assert.rejects(verifyLog({ ...opts(log.store, log.checkpoint), verifiers: [other] }), (e) => e instanceof LogError && e.code === 'NO_TRUSTED_SIGNATURE');
  await assert.rejects(verifyLog({ ...opts(log.store, log.checkpoint), origin: 'evil.example/log' }), (e) => e instanceof LogError);
});
