import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeLogCrypto as c } from '../../adapters/crypto/node-crypto.ts';
import { fromHex } from './bytes.ts';
import { LogError } from './errors.ts';
import { makeCheckpoint } from './checkpoint.ts';
import { inclusionProof, leafHash, rootFromLeafHashes } from './merkle.ts';
import { addSignatures, cosignatureV1Signer, parseSignerKey, parseVerifierKey } from './note.ts';
import { buildReceipt, formatTlogProof, parseTlogProof, verifyTlogProof } from './receipt.ts';
import { TileLogBuilder } from './tiles.ts';
import { MemoryTileStore } from './memory-tiles.ts';

const code = (x: string) => (e: unknown) => e instanceof LogError && e.code === x;
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(fromHex);
const LEAF_HASHES = LEAVES.map((l) => leafHash(c, l));
const SKEY = 'PRIVATE+KEY+undersigned.example/test+88a3a7db+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f';
const VKEY = 'undersigned.example/test+88a3a7db+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4';
const WITNESS_SEED = fromHex('202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f');

// Research §2.4: receipt for leaf 5 of the §2.1 tree, byte for byte.
const RECEIPT = `c2sp.org/tlog-proof@v1
index 5
vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=
yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=
037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=

undersigned.example/test
8
XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=

— undersigned.example/test iKOn27QZvNeGmYcbn7GJjRHCyx2ymz6kRKEOPGVA5JfITVrxGbrdYBfaSH4Fb6OSEtMNUzHPaSSu4xEIo3WCDR+hNgQ=
— witness.example/w1 IDJKvgAAAABlU/EAUfB0ilUNwgHvnsMk/ONzdDMMXHxYo/ou3tWPLuodn5TXQGtOoy2kqrWGEjbvZ3k64vnlOQ/0zzEy4Xgp2ZJyBg==
`;

function build(): string {
  const w = cosignatureV1Signer(c, 'witness.example/w1', WITNESS_SEED, 1700000000);
  const cp = addSignatures(makeCheckpoint('undersigned.example/test', 8, rootFromLeafHashes(c, LEAF_HASHES), [parseSignerKey(c, SKEY)]), [w]);
  return formatTlogProof({ index: 5, proof: inclusionProof(c, LEAF_HASHES, 5), checkpoint: cp });
}

test('receipt vector reproduces byte for byte and verifies', () => {
  assert.equal(build(), RECEIPT);
  const witness = parseVerifierKey(c, cosignatureV1Signer(c, 'witness.example/w1', WITNESS_SEED, 0).vkey);
  const r = verifyTlogProof(c, RECEIPT, { verifiers: [parseVerifierKey(c, VKEY), witness], origin: 'undersigned.example/test', entry: LEAVES[5]! });
  assert.equal(r.index, 5);
  assert.equal(r.checkpoint.size, 8);
  assert.deepEqual(r.note.verified.map((s) => s.name), ['undersigned.example/test', 'witness.example/w1']);
  // Only the log key known: the witness line is ignored, still valid.
  assert.equal(verifyTlogProof(c, RECEIPT, { verifiers: [parseVerifierKey(c, VKEY)], origin: 'undersigned.example/test', entry: LEAVES[5]! }).index, 5);
});

test('receipt round trip with extra; extra is used as the entry when none is given', () => {
  const cp = makeCheckpoint('undersigned.example/test', 8, rootFromLeafHashes(c, LEAF_HASHES), [parseSignerKey(c, SKEY)]);
  const text = formatTlogProof({ extra: LEAVES[6]!, index: 6, proof: inclusionProof(c, LEAF_HASHES, 6), checkpoint: cp });
  assert.match(text, /^c2sp\.org\/tlog-proof@v1\nextra UFFSU1RVVlc=\nindex 6\n/);
  const p = parseTlogProof(text);
  assert.deepEqual(p.extra, LEAVES[6]);
  assert.equal(formatTlogProof(p), text);
  const r = verifyTlogProof(c, text, { verifiers: [parseVerifierKey(c, VKEY)], origin: 'undersigned.example/test' });
  assert.deepEqual(r.extra, LEAVES[6]);
  // Index 0 with an empty proof (single-entry tree).
  const one = makeCheckpoint('undersigned.example/test', 1, LEAF_HASHES[0]!, [parseSignerKey(c, SKEY)]);
  const r0 = formatTlogProof({ index: 0, proof: [], checkpoint: one });
  assert.equal(verifyTlogProof(c, r0, { verifiers: [parseVerifierKey(c, VKEY)], origin: 'undersigned.example/test', entry: LEAVES[0]! }).index, 0);
});

test('tampered receipts fail', () => {
  const opts = { verifiers: [parseVerifierKey(c, VKEY)], origin: 'undersigned.example/test' };
  assert.throws(() => verifyTlogProof(c, RECEIPT, { ...opts, entry: LEAVES[4]! }), code('BAD_PROOF'));
  assert.throws(() => verifyTlogProof(c, RECEIPT.replace('index 5', 'index 4'), { ...opts, entry: LEAVES[5]! }), code('BAD_PROOF'));
  assert.throws(() => verifyTlogProof(c, RECEIPT.replace('vBoGQ7', 'vBoGQ8'), { ...opts, entry: LEAVES[5]! }), code('BAD_PROOF'));
  assert.throws(() => verifyTlogProof(c, RECEIPT.replace('\n8\n', '\n9\n'), { ...opts, entry: LEAVES[5]! }), code('BAD_SIGNATURE'));
  assert.throws(() => verifyTlogProof(c, RECEIPT, { ...opts, origin: 'other.example/log', entry: LEAVES[5]! }), code('WRONG_ORIGIN'));
  assert.throws(() => verifyTlogProof(c, RECEIPT, { ...opts }), code('BAD_RECEIPT'));
  assert.throws(() => parseTlogProof(RECEIPT.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2')), code('BAD_RECEIPT'));
  assert.throws(() => parseTlogProof(RECEIPT.replace('index 5', 'index 05')), code('BAD_RECEIPT'));
  assert.throws(() => parseTlogProof(RECEIPT.replace('037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=', 'AAAA')), code('BAD_RECEIPT'));
  assert.throws(() => parseTlogProof('c2sp.org/tlog-proof@v1\nindex 5\n'), code('BAD_RECEIPT'));
});

test('buildReceipt reads the proof from tiles and the receipt verifies', async () => {
  const b = TileLogBuilder.empty(c);
  for (const l of LEAVES) b.add(l);
  const store = new MemoryTileStore();
  const batch = b.flush();
  store.write(batch);
  const cp = makeCheckpoint('undersigned.example/test', batch.size, batch.root, [parseSignerKey(c, SKEY)]);
  const text = await buildReceipt(c, store, { index: 5, checkpoint: cp, entry: LEAVES[5]! });
  const r = verifyTlogProof(c, text, { verifiers: [parseVerifierKey(c, VKEY)], origin: 'undersigned.example/test', entry: LEAVES[5]! });
  assert.equal(r.index, 5);
  assert.deepEqual(r.extra, LEAVES[5]);
  await assert.rejects(buildReceipt(c, store, { index: 8, checkpoint: cp }), code('BAD_RECEIPT'));
});
