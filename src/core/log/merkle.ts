/**
 * RFC 6962 / RFC 9162 Merkle tree hashing and proofs (SHA-256), plus the
 * "subtree" proofs of draft-ietf-plants-merkle-tree-certs that transparency-dev
 * ships vectors for.
 *
 * Sizes and indexes are JS numbers restricted to safe integers (< 2^53): a
 * platform log will never hold 9 quadrillion entries, and rejecting larger
 * values up front is safer than silently rounding them (a rounded size would
 * verify a proof against the wrong tree). Bit manipulation inside the
 * verifiers uses bigint, because JS bitwise operators truncate to 32 bits.
 */
import type { LogHasher } from './crypto.ts';
import { bytesEqual, isSize } from './bytes.ts';
import { fail } from './errors.ts';

export const HASH_SIZE = 32;

/** A half-open range [start, end) of leaf indexes; its hash is MTH(D[start:end]). */
export type Range = readonly [start: number, end: number];

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** SHA-256(0x00 || entry). The 0x00/0x01 prefixes stop a leaf from posing as an inner node (second-preimage attack). */
export function leafHash(h: LogHasher, entry: Uint8Array): Uint8Array {
  // One reused input buffer (LogHasher must not keep its input): an audit hashes a million entries.
  if (leafScratch.length < entry.length + 1) {
    leafScratch = new Uint8Array(Math.max(entry.length + 1, 2 * leafScratch.length));
    leafScratch[0] = LEAF_PREFIX;
  }
  leafScratch.set(entry, 1);
  return h.sha256(leafScratch.subarray(0, entry.length + 1));
}

let leafScratch = new Uint8Array(1024);

/**
 * Scratch input for nodeHash: hashing is synchronous and LogHasher must not
 * keep its input, so one buffer serves every call. This is the hottest
 * allocation when rebuilding a large tree.
 */
const nodeScratch = new Uint8Array(1 + 2 * HASH_SIZE);
nodeScratch[0] = NODE_PREFIX;

/** SHA-256(0x01 || left || right). */
export function nodeHash(h: LogHasher, left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    nodeScratch.set(left, 1);
    nodeScratch.set(right, 1 + HASH_SIZE);
    return h.sha256(nodeScratch);
  }
  const buf = new Uint8Array(1 + left.length + right.length);
  buf[0] = NODE_PREFIX;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return h.sha256(buf);
}

/** MTH({}) = SHA-256(""). */
export function emptyRoot(h: LogHasher): Uint8Array {
  return h.sha256(new Uint8Array(0));
}

export function isHash(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array && x.length === HASH_SIZE;
}

/** Largest power of two strictly less than n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[start:end]) over an in-memory array of leaf hashes. O(end-start) hashes. */
export function rootFromLeafHashes(
  h: LogHasher,
  leafHashes: readonly Uint8Array[],
  start = 0,
  end = leafHashes.length,
): Uint8Array {
  const n = end - start;
  if (n === 0) return emptyRoot(h);
  if (n === 1) return leafHashes[start]!;
  const k = splitPoint(n);
  return nodeHash(h, rootFromLeafHashes(h, leafHashes, start, start + k), rootFromLeafHashes(h, leafHashes, start + k, end));
}

// ---------------------------------------------------------------------------
// Proof shapes. Generation is split into "which ranges" (pure arithmetic, here)
// and "hash of a range" (from memory, or from tiles in tiles.ts), so the
// sequencer, the HTTP layer and the tests share one implementation of the RFC
// recursion.
// ---------------------------------------------------------------------------

/** RFC 6962 §2.1.1 PATH(m, D[n]) as ranges, leaf side first. */
export function inclusionProofRanges(index: number, size: number): Range[] {
  if (!isSize(index) || !isSize(size) || index >= size) fail('BAD_SIZE', `index ${index} not in tree of size ${size}`);
  const out: Range[] = [];
  const path = (lo: number, hi: number): void => {
    if (hi - lo <= 1) return;
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      path(lo, lo + k);
      out.push([lo + k, hi]);
    } else {
      path(lo + k, hi);
      out.push([lo, lo + k]);
    }
  };
  path(0, size);
  return out;
}

/** RFC 6962 §2.1.2 PROOF(m, D[n]) as ranges. Requires 0 < m <= n. */
export function consistencyProofRanges(m: number, n: number): Range[] {
  if (!isSize(m) || !isSize(n) || m === 0 || m > n) fail('BAD_SIZE', `no consistency proof from ${m} to ${n}`);
  return subtreeConsistencyProofRanges(0, m, n);
}

/**
 * Subtree consistency proof for the subtree [start, end) of a tree of size n
 * (draft-ietf-plants-merkle-tree-certs). With start = 0 this is exactly RFC 6962
 * SUBPROOF(m, D[n], true): the regular consistency proof is the special case.
 */
export function subtreeConsistencyProofRanges(start: number, end: number, n: number): Range[] {
  if (!isValidSubtree(start, end) || !isSize(n) || end > n) fail('BAD_SIZE', `invalid subtree [${start}, ${end}) of ${n}`);
  const out: Range[] = [];
  const sub = (s: number, lo: number, hi: number, known: boolean): void => {
    if (s === lo && end === hi) {
      if (!known) out.push([lo, hi]);
      return;
    }
    const k = splitPoint(hi - lo);
    if (end <= lo + k) {
      sub(s, lo, lo + k, known);
      out.push([lo + k, hi]);
    } else if (s >= lo + k) {
      sub(s, lo + k, hi, known);
      out.push([lo, lo + k]);
    } else {
      // The subtree straddles the split; validity forces s === lo.
      sub(lo + k, lo + k, hi, false);
      out.push([lo, lo + k]);
    }
  };
  sub(start, 0, n, true);
  return out;
}

/** A subtree [start, end) is valid when start < end and start is a multiple of BIT_CEIL(end - start). */
export function isValidSubtree(start: number, end: number): boolean {
  if (!isSize(start) || !isSize(end) || start >= end) return false;
  let p = 1;
  while (p < end - start) p *= 2;
  return start % p === 0;
}

/**
 * Decompose an RFC 6962 proof range [a, b) into the perfect subtrees that make
 * it up, largest first: each is [index * 2^height, (index+1) * 2^height). The
 * hash of [a, b) is then n1 ⊕ (n2 ⊕ (n3 ...)) folded from the right. Every
 * range produced by the recursions above is a valid subtree, so this greedy
 * split is exact.
 */
export function perfectNodes(range: Range): Array<{ height: number; index: number }> {
  let [a, b] = range;
  const out: Array<{ height: number; index: number }> = [];
  while (a < b) {
    let size = 1;
    let height = 0;
    while (size * 2 <= b - a && a % (size * 2) === 0) {
      size *= 2;
      height++;
    }
    out.push({ height, index: a / size });
    a += size;
  }
  return out;
}

/** Inclusion proof from an in-memory list of leaf hashes (tests, small logs). */
export function inclusionProof(h: LogHasher, leafHashes: readonly Uint8Array[], index: number, size = leafHashes.length): Uint8Array[] {
  if (size > leafHashes.length) fail('BAD_SIZE', 'size beyond known leaves');
  return inclusionProofRanges(index, size).map(([a, b]) => rootFromLeafHashes(h, leafHashes, a, b));
}

/** Consistency proof from an in-memory list of leaf hashes. Empty when m == n. */
export function consistencyProof(h: LogHasher, leafHashes: readonly Uint8Array[], m: number, n = leafHashes.length): Uint8Array[] {
  if (n > leafHashes.length) fail('BAD_SIZE', 'size beyond known leaves');
  return consistencyProofRanges(m, n).map(([a, b]) => rootFromLeafHashes(h, leafHashes, a, b));
}

// ---------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2 and §2.1.4.2). Every function returns a
// boolean and never throws on hostile input: a receipt or proof comes from an
// untrusted server.
// ---------------------------------------------------------------------------

function allHashes(xs: readonly unknown[]): boolean {
  for (const x of xs) if (!isHash(x)) return false;
  return true;
}

/** Root implied by an inclusion proof, or null if the proof has the wrong shape. */
export function rootFromInclusionProof(
  h: LogHasher,
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array | null {
  // Threat: a 33-byte "hash" or a non-integer size could make two different
  // statements verify with the same bytes; reject anything off-spec.
  if (!isSize(index) || !isSize(size) || index >= size) return null;
  if (!isHash(leaf) || !Array.isArray(proof) || !allHashes(proof)) return null;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return null; // proof too long
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(h, p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = nodeHash(h, r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return null; // proof too short
  return r;
}

export function verifyInclusion(
  h: LogHasher,
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isHash(root)) return false;
  const r = rootFromInclusionProof(h, index, size, leaf, proof);
  return r !== null && bytesEqual(r, root);
}

/**
 * RFC 9162 §2.1.4.2. Policy (documented in docs/transparency-log.md): size1 = 0
 * is rejected even when size2 = 0 — a proof from the empty tree proves nothing,
 * and a witness handles "old 0" separately — and all hashes must be 32 bytes,
 * also when size1 = size2.
 */
export function verifyConsistency(
  h: LogHasher,
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (!isSize(size1) || !isSize(size2) || size1 === 0 || size1 > size2) return false;
  if (!isHash(root1) || !isHash(root2) || !Array.isArray(proof) || !allHashes(proof)) return false;
  if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2);
  if (proof.length === 0) return false;
  const path = [...proof];
  const first = BigInt(size1);
  if ((first & (first - 1n)) === 0n) path.unshift(root1);
  let fn = first - 1n;
  let sn = BigInt(size2 - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(h, c, fr);
      sr = nodeHash(h, c, sr);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = nodeHash(h, sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && bytesEqual(fr, root1) && bytesEqual(sr, root2);
}

/** Subtree inclusion: the leaf at `index` is in subtree [start, end) whose hash is `subRoot`. */
export function verifySubtreeInclusion(
  h: LogHasher,
  index: number,
  start: number,
  end: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  subRoot: Uint8Array,
): boolean {
  if (!isValidSubtree(start, end) || !isSize(index) || index < start || index >= end) return false;
  return verifyInclusion(h, index - start, end - start, leaf, proof, subRoot);
}

/**
 * Subtree consistency: subtree [start, end) with hash `subRoot` is part of the
 * tree of `size` with hash `root`. Verified structurally: the proof's shape is
 * re-derived from (start, end, size) with the same recursion as the generator,
 * and each element is consumed in generator order, so any extra, missing or
 * reordered element fails.
 */
export function verifySubtreeConsistency(
  h: LogHasher,
  start: number,
  end: number,
  size: number,
  proof: readonly Uint8Array[],
  subRoot: Uint8Array,
  root: Uint8Array,
): boolean {
  if (!isValidSubtree(start, end) || !isSize(size) || end > size) return false;
  if (!isHash(subRoot) || !isHash(root) || !Array.isArray(proof) || !allHashes(proof)) return false;
  if (start === 0 && end === size) return proof.length === 0 && bytesEqual(subRoot, root);
  if (proof.length === 0) return false;
  let next = 0;
  const take = (): Uint8Array | null => (next < proof.length ? proof[next++]! : null);
  // Returns [hash of [lo,hi) in the big tree, hash of [s,end)], or null on a short proof.
  const rec = (s: number, lo: number, hi: number, known: boolean): [Uint8Array, Uint8Array] | null => {
    if (s === lo && end === hi) {
      if (known) return [subRoot, subRoot];
      const x = take();
      return x ? [x, x] : null;
    }
    const k = splitPoint(hi - lo);
    if (end <= lo + k) {
      const r = rec(s, lo, lo + k, known);
      const sib = take();
      return r && sib ? [nodeHash(h, r[0], sib), r[1]] : null;
    }
    if (s >= lo + k) {
      const r = rec(s, lo + k, hi, known);
      const sib = take();
      return r && sib ? [nodeHash(h, sib, r[0]), r[1]] : null;
    }
    const r = rec(lo + k, lo + k, hi, false);
    const sib = take();
    return r && sib ? [nodeHash(h, sib, r[0]), nodeHash(h, sib, r[1])] : null;
  };
  const res = rec(start, 0, size, true);
  if (!res || next !== proof.length) return false;
  return bytesEqual(res[0], root) && bytesEqual(res[1], subRoot);
}
