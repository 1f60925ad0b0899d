/**
 * Transparency-log benchmark: figures only, no assertions.
 *  - compact range: appending 1,000,000 leaf hashes (the sequencer's hot path)
 *  - tiles: sequencing 1,000,000 undersigned/v1 entries into tiles + bundles
 *    in batches of 1,000 (as a sequencer flushing once per batch would)
 *  - verify: a third-party verification of the 1,000,000-entry log from
 *    in-memory tiles and bundles (signature, rebuild, tile comparison, counts)
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { nodeLogCrypto as c } from '../src/adapters/crypto/node-crypto.ts';
import { makeCheckpoint } from '../src/core/log/checkpoint.ts';
import { CompactRange } from '../src/core/log/compact.ts';
import { encodeEntry, letterTextHash, type LogEntry } from '../src/core/log/entries.ts';
import { leafHash } from '../src/core/log/merkle.ts';
import { MemoryTileStore } from '../src/core/log/memory-tiles.ts';
import { generateKeyPair, parseSignerKey, parseVerifierKey } from '../src/core/log/note.ts';
import { TileLogBuilder, inclusionProofFromTiles } from '../src/core/log/tiles.ts';
import { verifyLog } from '../src/core/log/verify-log.ts';

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchLog(n = 1_000_000, batchSize = 1000): Promise<object> {
  const origin = 'bench.undersigned.example/log';
  const key = generateKeyPair(c, origin, new Uint8Array(32).fill(7));
  const text = letterTextHash(c, 'Bench letter.\n');

  // Synthetic entries of realistic size (≈205 bytes), regenerated on demand so
  // the benchmark does not hold a million small arrays (GC would dominate).
  const leafBuf = new Uint8Array(32 * n);
  const leafAt = (i: number) => leafBuf.subarray(32 * i, 32 * i + 32);
  const entryAt = (i: number): Uint8Array => {
    const seed = new Uint8Array([i & 255, (i >> 8) & 255, (i >> 16) & 255, i >>> 24]);
    const e: LogEntry =
      i === 0
        ? { type: 'letter', letter: 'bench', time: 1767225600, text }
        : i % 50 === 0
          ? { type: 'withdraw', letter: 'bench', time: 1767225600 + i, ref: i - 7, refHash: leafAt(i - 7), reason: 'signer' }
          : { type: 'sig', letter: 'bench', text, time: 1767225600 + i, name: c.sha256(seed), contact: c.sha256(new Uint8Array([...seed, 1])) };
    return encodeEntry(e);
  };
  for (let i = 0; i < n; i++) leafBuf.set(leafHash(c, entryAt(i)), 32 * i);

  // 1. Compact range: append precomputed leaf hashes.
  let t = performance.now();
  const range = new CompactRange(c);
  for (let i = 0; i < n; i++) range.append(leafAt(i));
  const root = range.root();
  const compactS = (performance.now() - t) / 1000;

  // 2. Encode entries, sequence them into tiles and bundles batch by batch,
  //    and sign a checkpoint per batch.
  const store = new MemoryTileStore();
  const signer = parseSignerKey(c, key.skey);
  t = performance.now();
  const builder = TileLogBuilder.empty(c);
  let checkpoint = '';
  let tiles = 0;
  let bundles = 0;
  let bytes = 0;
  for (let i = 0; i < n; i += batchSize) {
    const end = Math.min(n, i + batchSize);
    for (let j = i; j < end; j++) builder.add(entryAt(j));
    const batch = builder.flush();
    store.write(batch);
    tiles += batch.tiles.length;
    bundles += batch.bundles.length;
    for (const x of batch.tiles) bytes += x.data.length;
    for (const x of batch.bundles) bytes += x.data.length;
    checkpoint = makeCheckpoint(origin, batch.size, batch.root, [signer]);
  }
  const tilesS = (performance.now() - t) / 1000;
  if (Buffer.compare(builder.root(), root) !== 0) throw new Error('tile builder and compact range disagree');

  // 3. Proofs served from tiles.
  store.reads = 0;
  t = performance.now();
  const proofs = 1000;
  for (let k = 0; k < proofs; k++) await inclusionProofFromTiles(c, store, (k * 7919) % n, n);
  const proofMs = (performance.now() - t) / proofs;
  const readsPerProof = store.reads / proofs;

  // 4. Independent verification of the whole log.
  t = performance.now();
  const result = await verifyLog({ crypto: c, reader: store, checkpoint, verifiers: [parseVerifierKey(c, key.vkey)], origin });
  const verifyS = (performance.now() - t) / 1000;
  if (!result.ok) throw new Error(`verification failed: ${JSON.stringify(result.problems.slice(0, 3))}`);

  return {
    entries: n,
    compactRange: { seconds: round(compactS, 3), leavesPerSecond: Math.round(n / compactS) },
    sequenceTiles: {
      batchSize,
      seconds: round(tilesS, 3),
      entriesPerSecond: Math.round(n / tilesS),
      tileWrites: tiles,
      bundleWrites: bundles,
      megabytesWritten: round(bytes / 1e6, 1),
    },
    inclusionProofFromTiles: { msPerProof: round(proofMs, 3), tileReadsPerProof: round(readsPerProof, 1) },
    verifyLog: { seconds: round(verifyS, 2), entriesPerSecond: Math.round(n / verifyS), tilesChecked: result.tilesChecked, count: result.letters[0]?.count },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchLog(), null, 2));
}
