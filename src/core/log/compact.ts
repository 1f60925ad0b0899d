/**
 * Compact range (a.k.a. Merkle frontier): the roots of the perfect subtrees on
 * the right edge of a tree, one per set bit of its size. It lets the sequencer
 * append leaves and obtain the new root in amortised O(1) hashes per leaf and
 * O(log n) memory, without re-reading the tree — so a batch of confirmations
 * costs the same whether the log holds ten entries or ten million.
 */
import type { LogHasher } from './crypto.ts';
import { isSize } from './bytes.ts';
import { fail } from './errors.ts';
import { emptyRoot, isHash, nodeHash } from './merkle.ts';

/** Called for every inner node completed by an append: its height (leaves are 0), index at that height, and hash. */
export type NodeListener = (height: number, index: number, hash: Uint8Array) => void;

export interface FrontierNode {
  height: number;
  index: number;
  hash: Uint8Array;
}

export class CompactRange {
  #h: LogHasher;
  /** #nodes[height] is set exactly when bit `height` of #size is set. */
  #nodes: Array<Uint8Array | undefined> = [];
  #size = 0;

  constructor(h: LogHasher) {
    this.#h = h;
  }

  /**
   * Restore from the frontier of a tree of `size` leaves: the hashes of its
   * perfect right-edge subtrees, largest (leftmost) first.
   */
  static fromFrontier(h: LogHasher, size: number, hashes: readonly Uint8Array[]): CompactRange {
    if (!isSize(size)) fail('BAD_SIZE', `bad size ${size}`);
    const r = new CompactRange(h);
    const heights: number[] = [];
    for (let s = size, height = 0; s > 0; s = Math.floor(s / 2), height++) if (s % 2 === 1) heights.push(height);
    heights.reverse();
    if (heights.length !== hashes.length) fail('BAD_SIZE', `size ${size} needs ${heights.length} frontier hashes, got ${hashes.length}`);
    heights.forEach((height, i) => {
      const x = hashes[i]!;
      if (!isHash(x)) fail('BAD_HASH', 'frontier hash must be 32 bytes');
      r.#nodes[height] = x;
    });
    r.#size = size;
    return r;
  }

  get size(): number {
    return this.#size;
  }

  /** Append one leaf hash. */
  append(leaf: Uint8Array, onNode?: NodeListener): void {
    const nodes = this.#nodes;
    const leafIndex = this.#size;
    let carry = leaf;
    let height = 0;
    let left = nodes[0];
    while (left !== undefined) {
      carry = nodeHash(this.#h, left, carry);
      nodes[height] = undefined;
      height++;
      if (onNode) onNode(height, Math.floor(leafIndex / 2 ** height), carry);
      left = nodes[height];
    }
    nodes[height] = carry;
    this.#size = leafIndex + 1;
  }

  /** MTH of the whole range: fold the frontier from the smallest subtree up. */
  root(): Uint8Array {
    let acc: Uint8Array | undefined;
    for (const node of this.#nodes) {
      if (node === undefined) continue;
      acc = acc === undefined ? node : nodeHash(this.#h, node, acc);
    }
    return acc ?? emptyRoot(this.#h);
  }

  /** The frontier, largest subtree first. */
  frontier(): FrontierNode[] {
    const out: FrontierNode[] = [];
    let start = 0;
    for (let height = this.#nodes.length - 1; height >= 0; height--) {
      const node = this.#nodes[height];
      if (node === undefined) continue;
      out.push({ height, index: start / 2 ** height, hash: node });
      start += 2 ** height;
    }
    return out;
  }

  clone(): CompactRange {
    const r = new CompactRange(this.#h);
    r.#nodes = this.#nodes.slice();
    r.#size = this.#size;
    return r;
  }
}
