import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { nodeLogCrypto as c } from '../../adapters/crypto/node-crypto.ts';
import { fromBase64, fromHex, toHex } from './bytes.ts';
import {
  consistencyProof,
  consistencyProofRanges,
  emptyRoot,
  inclusionProof,
  leafHash,
  rootFromLeafHashes,
  subtreeConsistencyProofRanges,
  verifyConsistency,
  verifyInclusion,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
} from './merkle.ts';

const VECTORS = '../shared/vectors/transparency-dev-merkle/testdata';

// transparency-dev/merkle testonly/constants.go leaves (research §2.1).
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(fromHex);
const LEAF_HASHES = LEAVES.map((l) => leafHash(c, l));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out;
}

/** Vectors hold base64; an undecodable or absent value becomes a deliberately invalid hash. */
function b64(s: unknown): Uint8Array {
  if (typeof s !== 'string') return new Uint8Array(0);
  try {
    return fromBase64(s);
  } catch {
    return new Uint8Array(0);
  }
}
const proofOf = (p: unknown): Uint8Array[] => (Array.isArray(p) ? p.map(b64) : []);

type Probe = Record<string, unknown> & { wantErr: boolean; desc: string };
const load = (f: string): Probe => JSON.parse(readFileSync(f, 'utf8')) as Probe;

/**
 * Policy divergences from transparency-dev (documented in docs/transparency-log.md).
 * transparency-dev accepts these because, when size1 == size2 (or the subtree is
 * the whole tree), Go compares the two roots as opaque byte strings of any length.
 * We reject any hash that is not 32 bytes: a 12-byte "root" can never come from a
 * SHA-256 log, so accepting it only widens what an attacker may feed us.
 */
const POLICY_REJECTS_SHORT_ROOT = [
  'consistency/additional/sizes-are-equal-one-and-proof-is-empty.json',
  'subtreeconsistency/additional/sizes-are-equal-one-and-proof-is-empty.json',
];
/**
 * transparency-dev also accepts an *empty* subtree [k, k) whose hash is
 * SHA-256("") with an empty proof, against any tree root (even a random one).
 * That statement is vacuous: it verifies against every tree, so it can be
 * passed off as evidence about a root it says nothing about. We reject it, as
 * RFC 9162 rejects size1 = 0 for ordinary consistency proofs.
 */
const POLICY_REJECTS_EMPTY_SUBTREE = [
  'subtreeconsistency/additional/subtree-is-empty-sizes-are-equal-one-subtree-root-valid-proof-is-empty.json',
  'subtreeconsistency/additional/subtree-is-empty-sizes-are-equal-one-subtree-root-valid-tree-root-random-proof-is-empty.json',
  'subtreeconsistency/additional/subtree-is-empty-sizes-are-equal-zero-subtree-root-valid-proof-is-empty.json',
  'subtreeconsistency/additional/subtree-is-empty-sizes-are-equal-zero-subtree-root-valid-tree-root-random-proof-is-empty.json',
  'subtreeconsistency/additional/subtree-is-empty-subtree-root-valid-proof-is-empty.json',
  'subtreeconsistency/additional/subtree-is-empty-subtree-root-valid-tree-root-random-proof-is-empty.json',
];
const POLICY_REJECTS = new Set([...POLICY_REJECTS_SHORT_ROOT, ...POLICY_REJECTS_EMPTY_SUBTREE]);

const rel = (f: string) => f.slice(VECTORS.length + 1);

function runInclusion(v: Probe): boolean {
  return verifyInclusion(c, v.leafIdx as number, v.treeSize as number, b64(v.leafHash), proofOf(v.proof), b64(v.root));
}
function runConsistency(v: Probe): boolean {
  return verifyConsistency(c, v.size1 as number, v.size2 as number, proofOf(v.proof), b64(v.root1), b64(v.root2));
}
function runSubtreeInclusion(v: Probe): boolean {
  return verifySubtreeInclusion(c, v.leafIdx as number, v.start as number, v.end as number, b64(v.leafHash), proofOf(v.proof), b64(v.root));
}
function runSubtreeConsistency(v: Probe): boolean {
  return verifySubtreeConsistency(c, v.start as number, v.end as number, v.size as number, proofOf(v.proof), b64(v.root1), b64(v.root2));
}

const suites: Array<[string, (v: Probe) => boolean]> = [
  ['inclusion', runInclusion],
  ['consistency', runConsistency],
  ['subtreeinclusion', runSubtreeInclusion],
  ['subtreeconsistency', runSubtreeConsistency],
];

for (const [dir, run] of suites) {
  test(`transparency-dev vectors: ${dir}`, () => {
    const files = walk(join(VECTORS, dir));
    assert.ok(files.length > 20, `vectors found in ${dir}`);
    let happy = 0;
    let negative = 0;
    const wrong: string[] = [];
    for (const f of files) {
      const v = load(f);
      const ok = run(v);
      const want = POLICY_REJECTS.has(rel(f)) ? false : !v.wantErr;
      if (ok !== want) wrong.push(`${rel(f)}: got ${ok}, want ${want} (${v.desc})`);
      if (f.endsWith('happy-path.json') || f.endsWith('happy-path-subtree.json')) {
        assert.equal(v.wantErr, false);
        happy++;
      }
      if (v.wantErr) negative++;
    }
    assert.deepEqual(wrong, []);
    assert.ok(happy >= 5 && negative > 10);
  });
}

test('the policy divergences are exactly non-32-byte roots and vacuous empty subtrees', () => {
  for (const f of POLICY_REJECTS_SHORT_ROOT) {
    const v = load(join(VECTORS, f));
    assert.equal(v.wantErr, false);
    assert.notEqual(b64(v.root1).length, 32);
  }
  for (const f of POLICY_REJECTS_EMPTY_SUBTREE) {
    const v = load(join(VECTORS, f));
    assert.equal(v.wantErr, false);
    assert.equal(v.start, v.end);
  }
});

test('tree hashes: §2.1 roots for sizes 0..8', () => {
  assert.equal(toHex(emptyRoot(c)), ROOTS[0]);
  for (let n = 0; n <= 8; n++) assert.equal(toHex(rootFromLeafHashes(c, LEAF_HASHES, 0, n)), ROOTS[n], `size ${n}`);
  assert.equal(
    Buffer.from(leafHash(c, new TextEncoder().encode('hello world'))).toString('base64'),
    'TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=',
  );
});

test('proof generators reproduce every happy-path proof', () => {
  for (const n of ['0', '1', '2', '3', '4']) {
    const inc = load(join(VECTORS, 'inclusion', n, 'happy-path.json'));
    const gotI = inclusionProof(c, LEAF_HASHES, inc.leafIdx as number, inc.treeSize as number).map(toHex);
    assert.deepEqual(gotI, proofOf(inc.proof).map(toHex), `inclusion ${n}`);
    const con = load(join(VECTORS, 'consistency', n, 'happy-path.json'));
    const gotC = consistencyProof(c, LEAF_HASHES, con.size1 as number, con.size2 as number).map(toHex);
    assert.deepEqual(gotC, proofOf(con.proof).map(toHex), `consistency ${n}`);
  }
  // Research §2.4 extra proofs.
  assert.deepEqual(inclusionProof(c, LEAF_HASHES, 6, 7).map(toHex), [
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  ]);
  assert.deepEqual(consistencyProof(c, LEAF_HASHES, 3, 7).map(toHex), [
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e',
  ]);
  assert.deepEqual(consistencyProof(c, LEAF_HASHES, 4, 8).map(toHex), ['6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']);
});

test('subtree consistency generator reproduces the subtree happy paths', () => {
  const files = walk(join(VECTORS, 'subtreeconsistency')).filter((f) => f.endsWith('happy-path.json'));
  assert.ok(files.length >= 4);
  for (const f of files) {
    const v = load(f);
    const size = v.size as number;
    if (size > LEAF_HASHES.length) continue;
    const ranges = subtreeConsistencyProofRanges(v.start as number, v.end as number, size);
    const got = ranges.map(([a, b]) => toHex(rootFromLeafHashes(c, LEAF_HASHES, a, b)));
    assert.deepEqual(got, proofOf(v.proof).map(toHex), rel(f));
  }
});

test('generated proofs verify for every (index, size) and (m, n) up to 40, and tampering fails', () => {
  const leaves = Array.from({ length: 40 }, (_, i) => leafHash(c, new Uint8Array([i, i >> 8, 7])));
  const roots = Array.from({ length: 41 }, (_, n) => rootFromLeafHashes(c, leaves, 0, n));
  for (let n = 1; n <= 40; n++) {
    for (let i = 0; i < n; i++) {
      const p = inclusionProof(c, leaves, i, n);
      assert.ok(verifyInclusion(c, i, n, leaves[i]!, p, roots[n]!));
      if (p.length) {
        const bad = p.map((x) => x.slice());
        bad[0]![0]! ^= 1;
        assert.ok(!verifyInclusion(c, i, n, leaves[i]!, bad, roots[n]!));
      }
      if (i + 1 < n) assert.ok(!verifyInclusion(c, i + 1, n, leaves[i]!, p, roots[n]!));
    }
    for (let m = 1; m <= n; m++) {
      const p = consistencyProof(c, leaves, m, n);
      assert.ok(verifyConsistency(c, m, n, p, roots[m]!, roots[n]!), `${m}->${n}`);
      assert.ok(verifySubtreeConsistency(c, 0, m, n, p, roots[m]!, roots[n]!), `subtree ${m}->${n}`);
      assert.deepEqual(consistencyProofRanges(m, n), subtreeConsistencyProofRanges(0, m, n));
      if (m < n) assert.ok(!verifyConsistency(c, m, n, p, roots[m]!, roots[n - 1]!));
      if (p.length > 1) assert.ok(!verifyConsistency(c, m, n, p.slice(0, -1), roots[m]!, roots[n]!));
    }
  }
});

test('sizes beyond 2^53 and non-integers are rejected, not rounded', () => {
  const r = LEAF_HASHES[0]!;
  assert.ok(!verifyInclusion(c, 0, 2 ** 53 + 2, r, [], r));
  assert.ok(!verifyInclusion(c, 0.5, 1, r, [], r));
  assert.ok(!verifyConsistency(c, 1, 1.5, [], r, r));
});
