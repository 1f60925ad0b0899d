import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeLogCrypto as c } from '../../adapters/crypto/node-crypto.ts';
import { toHex } from './bytes.ts';
import { CompactRange } from './compact.ts';
import { consistencyProof, inclusionProof, leafHash, rootFromLeafHashes, verifyInclusion } from './merkle.ts';
import { MemoryTileStore } from './memory-tiles.ts';
import {
  TileLogBuilder,
  buildEntryBundle,
  changedTiles,
  consistencyProofFromTiles,
  encodeTileIndex,
  entriesPath,
  inclusionProofFromTiles,
  leafHashFromTiles,
  parseEntryBundle,
  parseTilePath,
  partialTilesForSize,
  rootFromTiles,
  tilePath,
  tilesForSize,
  type TileId,
} from './tiles.ts';

const entry = (i: number) => new TextEncoder().encode(`entry ${i}\n`);

test('tile index and path encoding (tlog-tiles examples)', () => {
  assert.equal(encodeTileIndex(1234067), 'x001/x234/067');
  assert.equal(encodeTileIndex(1000), 'x001/000');
  assert.equal(encodeTileIndex(5), '005');
  assert.equal(encodeTileIndex(0), '000');
  assert.equal(tilePath({ level: 0, index: 1234067, width: 256 }), 'tile/0/x001/x234/067');
  assert.equal(tilePath({ level: 2, index: 5, width: 17 }), 'tile/2/005.p/17');
  assert.equal(entriesPath(1000, 112), 'tile/entries/x001/000.p/112');
  assert.equal(entriesPath(7, 256), 'tile/entries/007');
  assert.throws(() => tilePath({ level: 64, index: 0, width: 1 }));
  assert.throws(() => tilePath({ level: 0, index: 0, width: 0 }));
});

test('tile paths parse only in their canonical spelling', () => {
  assert.deepEqual(parseTilePath('tile/0/x001/x234/067'), { kind: 'tile', level: 0, index: 1234067, width: 256 });
  assert.deepEqual(parseTilePath('tile/63/005.p/255'), { kind: 'tile', level: 63, index: 5, width: 255 });
  assert.deepEqual(parseTilePath('tile/entries/x001/000.p/1'), { kind: 'entries', index: 1000, width: 1 });
  for (const bad of [
    'tile/0/5',
    'tile/0/x000/005',
    'tile/00/005',
    'tile/64/005',
    'tile/0/005.p/0',
    'tile/0/005.p/256',
    'tile/0/005.p/017',
    'tile/0/x001/x234/067/',
    'tile/0/001/234',
    'tile/entries/005.p/',
    'tile/data/005',
  ]) {
    assert.equal(parseTilePath(bad), null, bad);
  }
  for (let i = 0; i < 3000; i += 7) {
    const t = { level: i % 5, index: i * 997, width: (i % 256) + 1 };
    const p = parseTilePath(tilePath(t));
    assert.ok(p && p.kind === 'tile');
    assert.deepEqual({ level: p.level, index: p.index, width: p.width }, t);
  }
});

test('tlog-tiles size-70,000 example and size 256', () => {
  const tiles = tilesForSize(70000);
  const byLevel = (l: number) => tiles.filter((t) => t.level === l);
  assert.equal(byLevel(0).filter((t) => t.width === 256).length, 273);
  assert.deepEqual(byLevel(0).filter((t) => t.width < 256), [{ level: 0, index: 273, width: 112 }]);
  assert.deepEqual(byLevel(1), [{ level: 1, index: 0, width: 256 }, { level: 1, index: 1, width: 17 }]);
  assert.deepEqual(byLevel(2), [{ level: 2, index: 0, width: 1 }]);
  assert.equal(tiles.length, 273 + 1 + 2 + 1);
  assert.deepEqual(tilesForSize(256), [{ level: 0, index: 0, width: 256 }, { level: 1, index: 0, width: 1 }]);
  assert.deepEqual(partialTilesForSize(70000), [
    { level: 0, index: 273, width: 112 },
    { level: 1, index: 1, width: 17 },
    { level: 2, index: 0, width: 1 },
  ]);
  assert.deepEqual(changedTiles(70000, 70000), []);
  assert.deepEqual(changedTiles(255, 256), [{ level: 0, index: 0, width: 256 }, { level: 1, index: 0, width: 1 }]);
});

test('entry bundles: round trip, limits, truncation', () => {
  const es = [new Uint8Array(0), entry(1), new Uint8Array(300).fill(9)];
  const b = buildEntryBundle(es);
  assert.equal(b.length, 2 + 0 + 2 + es[1]!.length + 2 + 300);
  assert.equal(b[b.length - 302], 0x01);
  assert.equal(b[b.length - 301], 0x2c);
  assert.deepEqual(parseEntryBundle(b).map(toHex), es.map(toHex));
  assert.deepEqual(parseEntryBundle(b, 2).map(toHex), es.slice(0, 2).map(toHex));
  assert.throws(() => parseEntryBundle(b, 4), /expected 4/);
  assert.throws(() => parseEntryBundle(b.subarray(0, b.length - 1)), /truncated/);
  assert.throws(() => parseEntryBundle(b.subarray(0, 1)), /truncated/);
  assert.doesNotThrow(() => buildEntryBundle([new Uint8Array(65535)]));
  assert.throws(() => buildEntryBundle([new Uint8Array(65536)]));
});

function buildLog(n: number, batches: number[]): { store: MemoryTileStore; leaves: Uint8Array[]; roots: Map<number, Uint8Array> } {
  const store = new MemoryTileStore();
  const b = TileLogBuilder.empty(c);
  const leaves: Uint8Array[] = [];
  const roots = new Map<number, Uint8Array>();
  let i = 0;
  for (const size of [...batches, n]) {
    while (i < size) {
      assert.equal(b.add(entry(i)), i);
      leaves.push(leafHash(c, entry(i)));
      i++;
    }
    const batch = b.flush();
    const ids = batch.tiles.map(({ level, index, width }) => ({ level, index, width }));
    const key = (t: TileId) => `${t.level}/${t.index}/${t.width}`;
    assert.deepEqual(ids.map(key).sort(), changedTiles(batch.oldSize, batch.size).map(key).sort(), `tiles ${batch.oldSize}->${batch.size}`);
    assert.deepEqual(
      batch.bundles.map((x) => `${x.index}/${x.width}`).sort(),
      changedTiles(batch.oldSize, batch.size).filter((t) => t.level === 0).map((t) => `${t.index}/${t.width}`).sort(),
    );
    store.write(batch);
    roots.set(batch.size, batch.root);
  }
  return { store, leaves, roots };
}

test('builder: roots and tile contents match the RFC 6962 definition across batches', () => {
  const n = 70000;
  const { store, leaves, roots } = buildLog(n, [1, 255, 256, 257, 1000, 65535, 65536, 65537, 69999]);
  for (const [size, root] of roots) assert.equal(toHex(root), toHex(rootFromLeafHashes(c, leaves, 0, size)), `root ${size}`);
  // Tile (L, N) hash i = MTH(D[(N*256+i)*256^L : (N*256+i+1)*256^L]).
  for (const t of tilesForSize(n)) {
    const data = store.files.get(tilePath(t))!;
    assert.equal(data.length, t.width * 32);
    for (const i of [0, t.width - 1]) {
      const span = 256 ** t.level;
      const lo = (t.index * 256 + i) * span;
      assert.equal(toHex(data.subarray(i * 32, i * 32 + 32)), toHex(rootFromLeafHashes(c, leaves, lo, lo + span)));
    }
  }
  const bundle = parseEntryBundle(store.files.get(entriesPath(273, 112))!);
  assert.equal(bundle.length, 112);
  assert.deepEqual(bundle[0], entry(273 * 256));
});

test('proofs and roots read from tiles equal in-memory proofs, in O(log n) tile reads', async () => {
  const n = 70000;
  const { store, leaves } = buildLog(n, [300, 65536]);
  assert.equal(toHex(await rootFromTiles(c, store, n)), toHex(rootFromLeafHashes(c, leaves)));
  assert.equal(toHex(await rootFromTiles(c, store, 65536)), toHex(rootFromLeafHashes(c, leaves, 0, 65536)));
  for (const i of [0, 1, 255, 256, 65535, 65536, 69999]) {
    store.reads = 0;
    const p = await inclusionProofFromTiles(c, store, i, n);
    assert.ok(store.reads <= 6, `reads for ${i}: ${store.reads}`);
    assert.deepEqual(p.map(toHex), inclusionProof(c, leaves, i, n).map(toHex), `inclusion ${i}`);
    assert.ok(verifyInclusion(c, i, n, leaves[i]!, p, rootFromLeafHashes(c, leaves)));
    assert.equal(toHex(await leafHashFromTiles(c, store, i, n)), toHex(leaves[i]!));
  }
  for (const m of [1, 255, 256, 300, 65536, 65537, 69999, 70000]) {
    const p = await consistencyProofFromTiles(c, store, m, n);
    assert.deepEqual(p.map(toHex), consistencyProof(c, leaves, m, n).map(toHex), `consistency ${m}`);
  }
  // Small trees, every index, with partial tiles at every level.
  for (const size of [1, 2, 3, 7, 8, 9, 100]) {
    const s = buildLog(size, []);
    for (let i = 0; i < size; i++) {
      assert.deepEqual((await inclusionProofFromTiles(c, s.store, i, size)).map(toHex), inclusionProof(c, s.leaves, i).map(toHex));
    }
  }
});

test('a full tile stands in for a deleted partial tile', async () => {
  const { store, leaves } = buildLog(600, [300]);
  store.files.delete(tilePath({ level: 0, index: 1, width: 44 }));
  assert.deepEqual((await inclusionProofFromTiles(c, store, 299, 300)).map(toHex), inclusionProof(c, leaves, 299, 300).map(toHex));
});

test('resuming from stored partial tiles continues the same log', async () => {
  const n = 66000;
  const ref = buildLog(n, []);
  for (const cut of [0, 1, 255, 256, 513, 65535, 65536, 65791]) {
    const { store } = buildLog(cut, []);
    const b = cut === 0 ? TileLogBuilder.empty(c) : await TileLogBuilder.open(c, cut, store);
    assert.equal(toHex(b.root()), toHex(rootFromLeafHashes(c, ref.leaves, 0, cut)));
    for (let i = cut; i < n; i++) b.add(entry(i));
    const batch = b.flush();
    assert.equal(toHex(batch.root), toHex(rootFromLeafHashes(c, ref.leaves)));
    for (const t of batch.tiles) assert.equal(toHex(t.data), toHex(ref.store.files.get(t.path)!), `${cut}: ${t.path}`);
    for (const x of batch.bundles) assert.equal(toHex(x.data), toHex(ref.store.files.get(x.path)!), `${cut}: ${x.path}`);
  }
});

test('resuming refuses a partial bundle that does not match its tile', async () => {
  const { store } = buildLog(300, []);
  const path = entriesPath(1, 44);
  const bad = store.files.get(path)!.slice();
  bad[5]! ^= 1;
  store.files.set(path, bad);
  await assert.rejects(TileLogBuilder.open(c, 300, store), /does not match/);
});

test('compact range: root after every append equals MTH, and restores from its frontier', () => {
  const leaves = Array.from({ length: 300 }, (_, i) => leafHash(c, entry(i)));
  const r = new CompactRange(c);
  for (let i = 0; i < leaves.length; i++) {
    r.append(leaves[i]!);
    if (i < 70 || i % 37 === 0) {
      assert.equal(toHex(r.root()), toHex(rootFromLeafHashes(c, leaves, 0, i + 1)));
      const f = r.frontier();
      const back = CompactRange.fromFrontier(c, i + 1, f.map((x) => x.hash));
      assert.equal(toHex(back.root()), toHex(r.root()));
      for (const node of f) {
        const lo = node.index * 2 ** node.height;
        assert.equal(toHex(node.hash), toHex(rootFromLeafHashes(c, leaves, lo, lo + 2 ** node.height)));
      }
    }
  }
  assert.throws(() => CompactRange.fromFrontier(c, 3, [leaves[0]!]));
});
