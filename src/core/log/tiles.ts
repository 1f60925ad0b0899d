/**
 * c2sp.org/tlog-tiles: tile paths, partial tiles, entry bundles, proofs read
 * from tiles, and the sequencer-side builder that turns appended entries into
 * the static files a CDN can serve.
 *
 * Tile (L, N) holds MTH(D[(N*256+i)*256^L : (N*256+i+1)*256^L]) for i < width,
 * i.e. the tree nodes at height 8L. Hashes between tile levels are recomputed
 * by hashing inside one tile, so any node of the tree costs one tile read.
 */
import type { LogHasher } from './crypto.ts';
import { bytesEqual, concatBytes, copyBytes, isSize } from './bytes.ts';
import { CompactRange } from './compact.ts';
import { fail } from './errors.ts';
import {
  HASH_SIZE,
  consistencyProofRanges,
  inclusionProofRanges,
  leafHash,
  nodeHash,
  perfectNodes,
  rootFromLeafHashes,
  type Range,
} from './merkle.ts';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
export const FULL_TILE_BYTES = TILE_WIDTH * HASH_SIZE;
/** Entries are uint16-length-prefixed in bundles. */
export const MAX_ENTRY_SIZE = 0xffff;

/** A tile or entry bundle: width 256 is a full tile, 1..255 a partial one. */
export interface TileId {
  level: number;
  index: number;
  width: number;
}

export interface TileReader {
  /**
   * Bytes of tile (level, index) of the given width. An adapter MAY return a
   * wider tile for the same (level, index) — e.g. the full tile once the partial
   * one was deleted, as tlog-tiles allows — the extra hashes are ignored.
   */
  readTile(level: number, index: number, width: number): Promise<Uint8Array>;
}

export interface EntryBundleReader {
  /** Bytes of entry bundle `index` (uncompressed); a wider bundle is accepted as above. */
  readEntryBundle(index: number, width: number): Promise<Uint8Array>;
}

// ---------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------

/** 1234067 → "x001/x234/067": 3-digit groups, all but the last prefixed with "x". */
export function encodeTileIndex(n: number): string {
  if (!isSize(n)) fail('BAD_SIZE', `bad tile index ${n}`);
  const groups: number[] = [];
  do {
    groups.unshift(n % 1000);
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? 'x' : '') + String(g).padStart(3, '0')).join('/');
}

function widthSuffix(width: number): string {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) fail('BAD_TILE', `bad tile width ${width}`);
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}

/** `tile/<L>/<N>[.p/<W>]` (relative to the log prefix). */
export function tilePath(t: TileId): string {
  if (!Number.isInteger(t.level) || t.level < 0 || t.level > 63) fail('BAD_TILE', `bad tile level ${t.level}`);
  return `tile/${t.level}/${encodeTileIndex(t.index)}${widthSuffix(t.width)}`;
}

/** `tile/entries/<N>[.p/<W>]`. */
export function entriesPath(index: number, width: number): string {
  return `tile/entries/${encodeTileIndex(index)}${widthSuffix(width)}`;
}

export type ParsedTilePath = ({ kind: 'tile'; level: number } | { kind: 'entries' }) & { index: number; width: number };

const PATH_RE = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/;

/**
 * Parse a tile or entries path; null unless it is the one canonical spelling.
 * Threat: path aliasing — "x000/005" and "005" naming the same tile would let
 * a client or cache be fed two different bodies for one immutable resource.
 */
export function parseTilePath(path: string): ParsedTilePath | null {
  const m = PATH_RE.exec(path);
  if (!m) return null;
  const groups = m[2]!.split('/');
  let index = 0;
  for (const g of groups) index = index * 1000 + Number(g.replace('x', ''));
  if (!Number.isSafeInteger(index) || encodeTileIndex(index) !== m[2]) return null;
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if (width < 1 || width >= TILE_WIDTH + (m[3] === undefined ? 1 : 0)) return null;
  if (m[1] === 'entries') return { kind: 'entries', index, width };
  const level = Number(m[1]);
  if (level > 63) return null;
  return { kind: 'tile', level, index, width };
}

// ---------------------------------------------------------------------------
// Tile geometry
// ---------------------------------------------------------------------------

/** Number of tree nodes at height 8·level in a tree of `size` leaves (= hashes stored at that tile level). */
export function levelCount(level: number, size: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

/** Width of the partial tile at `level` for tree `size` (0 when there is none). */
export function partialTileWidth(level: number, size: number): number {
  return levelCount(level, size) % TILE_WIDTH;
}

/** Width of tile (level, index) in a tree of `size`: 256 if full, 1..255 if partial, 0 if it does not exist. */
export function tileWidthAt(level: number, index: number, size: number): number {
  const c = levelCount(level, size);
  const full = Math.floor(c / TILE_WIDTH);
  if (index < full) return TILE_WIDTH;
  if (index === full) return c % TILE_WIDTH;
  return 0;
}

/** Every tile (full and partial, all levels) a log of `size` serves. */
export function tilesForSize(size: number): TileId[] {
  return changedTiles(0, size);
}

/**
 * Tiles that exist at newSize but not (with the same width) at oldSize: what
 * the sequencer must write when the tree grows, and what a mirror must fetch.
 * Entry bundles change exactly like level-0 tiles.
 */
export function changedTiles(oldSize: number, newSize: number): TileId[] {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize) fail('BAD_SIZE', `cannot grow from ${oldSize} to ${newSize}`);
  const out: TileId[] = [];
  for (let level = 0; levelCount(level, newSize) > 0; level++) {
    const cOld = levelCount(level, oldSize);
    const cNew = levelCount(level, newSize);
    if (cOld === cNew) continue;
    for (let index = Math.floor(cOld / TILE_WIDTH); index <= Math.floor(cNew / TILE_WIDTH); index++) {
      const width = tileWidthAt(level, index, newSize);
      if (width > 0) out.push({ level, index, width });
    }
  }
  return out;
}

/** The partial tiles (at most one per level) of a tree of `size`: what a sequencer reads to resume. */
export function partialTilesForSize(size: number): TileId[] {
  const out: TileId[] = [];
  for (let level = 0; levelCount(level, size) > 0; level++) {
    const width = partialTileWidth(level, size);
    if (width > 0) out.push({ level, index: Math.floor(levelCount(level, size) / TILE_WIDTH), width });
  }
  return out;
}

/** Split tile bytes into `width` hashes; rejects truncated, ragged or oversized tiles. */
export function tileHashes(data: Uint8Array, width: number): Uint8Array[] {
  if (data.length % HASH_SIZE !== 0 || data.length > FULL_TILE_BYTES || data.length < width * HASH_SIZE) {
    fail('BAD_TILE', `tile of ${data.length} bytes cannot hold ${width} hashes`);
  }
  const out: Uint8Array[] = new Array(width);
  for (let i = 0; i < width; i++) out[i] = data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
  return out;
}

// ---------------------------------------------------------------------------
// Entry bundles
// ---------------------------------------------------------------------------

export function buildEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_SIZE) fail('BAD_ENTRY', `entry of ${e.length} bytes exceeds ${MAX_ENTRY_SIZE}`);
    len += 2 + e.length;
  }
  const out = new Uint8Array(len);
  let o = 0;
  for (const e of entries) {
    out[o] = e.length >> 8;
    out[o + 1] = e.length & 0xff;
    out.set(e, o + 2);
    o += 2 + e.length;
  }
  return out;
}

/**
 * Parse a bundle of uint16-big-endian length-prefixed entries. With `width`,
 * at least that many entries must be present and only the first `width` are
 * returned (a full bundle may stand in for a deleted partial one). Trailing
 * bytes that do not form a whole entry are an error: a truncated download must
 * never look like a shorter, valid bundle.
 */
export function parseEntryBundle(data: Uint8Array, width?: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < data.length) {
    if (o + 2 > data.length) fail('BAD_BUNDLE', 'truncated entry length');
    const len = (data[o]! << 8) | data[o + 1]!;
    if (o + 2 + len > data.length) fail('BAD_BUNDLE', 'truncated entry');
    out.push(data.subarray(o + 2, o + 2 + len));
    o += 2 + len;
    if (out.length > TILE_WIDTH) fail('BAD_BUNDLE', 'more than 256 entries in a bundle');
  }
  if (width !== undefined) {
    if (out.length < width) fail('BAD_BUNDLE', `bundle holds ${out.length} entries, expected ${width}`);
    out.length = width;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Reading hashes and proofs from tiles: O(log n) node hashes, each from one
// tile; tiles are fetched in parallel and each at most once per call.
// ---------------------------------------------------------------------------

async function hashRanges(h: LogHasher, reader: TileReader, size: number, ranges: readonly Range[]): Promise<Uint8Array[]> {
  const plans = ranges.map((r) =>
    perfectNodes(r).map(({ height, index }) => {
      const level = Math.floor(height / TILE_HEIGHT);
      const span = 2 ** (height % TILE_HEIGHT);
      const first = index * span; // first hash at this tile level
      return { level, tile: Math.floor(first / TILE_WIDTH), offset: first % TILE_WIDTH, span };
    }),
  );
  const wanted = new Map<string, TileId>();
  for (const plan of plans) {
    for (const n of plan) {
      const width = tileWidthAt(n.level, n.tile, size);
      if (width === 0) fail('BAD_SIZE', 'node beyond tree size');
      wanted.set(`${n.level}/${n.tile}`, { level: n.level, index: n.tile, width });
    }
  }
  const tiles = new Map<string, Uint8Array[]>();
  await Promise.all(
    [...wanted].map(async ([key, t]) => {
      tiles.set(key, tileHashes(await reader.readTile(t.level, t.index, t.width), t.width));
    }),
  );
  return plans.map((plan) => {
    let acc: Uint8Array | undefined;
    for (let i = plan.length - 1; i >= 0; i--) {
      const n = plan[i]!;
      const hashes = tiles.get(`${n.level}/${n.tile}`)!;
      if (n.offset + n.span > hashes.length) fail('BAD_TILE', 'tile too narrow for node');
      const node = rootFromLeafHashes(h, hashes, n.offset, n.offset + n.span);
      acc = acc === undefined ? node : nodeHash(h, node, acc);
    }
    return acc!;
  });
}

/** Inclusion proof for leaf `index` in the tree of `size`, read from tiles. */
export async function inclusionProofFromTiles(h: LogHasher, reader: TileReader, index: number, size: number): Promise<Uint8Array[]> {
  return hashRanges(h, reader, size, inclusionProofRanges(index, size));
}

/** Consistency proof from tree size m to n (0 < m <= n), read from tiles of the size-n tree. */
export async function consistencyProofFromTiles(h: LogHasher, reader: TileReader, m: number, n: number): Promise<Uint8Array[]> {
  return hashRanges(h, reader, n, consistencyProofRanges(m, n));
}

/** MTH(D[0:size]) from tiles (size > 0). */
export async function rootFromTiles(h: LogHasher, reader: TileReader, size: number): Promise<Uint8Array> {
  if (!isSize(size) || size === 0) fail('BAD_SIZE', 'rootFromTiles needs a non-empty tree');
  return (await hashRanges(h, reader, size, [[0, size]]))[0]!;
}

/** Leaf hash of entry `index` as stored in the level-0 tile of the size-`size` tree. */
export async function leafHashFromTiles(h: LogHasher, reader: TileReader, index: number, size: number): Promise<Uint8Array> {
  if (!isSize(index) || index >= size) fail('BAD_SIZE', `index ${index} not in tree of size ${size}`);
  return (await hashRanges(h, reader, size, [[index, index + 1]]))[0]!;
}

// ---------------------------------------------------------------------------
// Building tiles while appending (sequencer and verifier)
// ---------------------------------------------------------------------------

export interface TileWrite extends TileId {
  path: string;
  data: Uint8Array;
}

/**
 * The tree as tiles: appending leaf hashes produces full tiles as they fill
 * and, on demand, the current partial tiles. State is O(levels × 256) hashes:
 * the partial tile at each level, from which the compact range is derived.
 */
export class TileTree {
  #range: CompactRange;
  #pending: Uint8Array[][] = [];
  #dirty: boolean[] = [];
  #out: TileWrite[] = [];

  private constructor(range: CompactRange) {
    this.#range = range;
  }

  static empty(h: LogHasher): TileTree {
    return new TileTree(new CompactRange(h));
  }

  /**
   * Resume a tree of `size` from its partial tiles (level → tile bytes, see
   * partialTilesForSize). The caller must compare root() with the checkpoint it
   * last signed: a corrupted partial tile would otherwise fork the log.
   */
  static fromPartialTiles(h: LogHasher, size: number, partials: ReadonlyMap<number, Uint8Array>): TileTree {
    if (!isSize(size)) fail('BAD_SIZE', `bad size ${size}`);
    const pending: Uint8Array[][] = [];
    const frontier: Uint8Array[] = [];
    for (let level = 0; levelCount(level, size) > 0; level++) {
      const width = partialTileWidth(level, size);
      if (width === 0) {
        pending[level] = [];
        continue;
      }
      const data = partials.get(level);
      if (!data) fail('BAD_TILE', `missing partial tile at level ${level}`);
      pending[level] = tileHashes(data, width).map(copyBytes);
    }
    // Frontier, largest subtree first: top level down, and within a level the
    // binary decomposition of its width (perfect subtrees of 2^r tile hashes).
    for (let level = pending.length - 1; level >= 0; level--) {
      const hashes = pending[level]!;
      let offset = 0;
      for (let r = TILE_HEIGHT - 1; r >= 0; r--) {
        if (hashes.length & (1 << r)) {
          frontier.push(rootFromLeafHashes(h, hashes, offset, offset + (1 << r)));
          offset += 1 << r;
        }
      }
    }
    const t = new TileTree(CompactRange.fromFrontier(h, size, frontier));
    t.#pending = pending;
    return t;
  }

  get size(): number {
    return this.#range.size;
  }

  root(): Uint8Array {
    return this.#range.root();
  }

  appendLeafHash(leaf: Uint8Array): void {
    this.#push(0, this.#range.size, leaf);
    this.#range.append(leaf, this.#onNode);
  }

  /** Nodes at heights 8, 16, ... are the hashes stored in tiles of level 1, 2, ... */
  #onNode = (height: number, index: number, hash: Uint8Array): void => {
    if (height % TILE_HEIGHT === 0) this.#push(height / TILE_HEIGHT, index, hash);
  };

  #push(level: number, nodeIndex: number, hash: Uint8Array): void {
    const p = (this.#pending[level] ??= []);
    p.push(hash);
    this.#dirty[level] = true;
    if (p.length === TILE_WIDTH) {
      this.#emit(level, Math.floor(nodeIndex / TILE_WIDTH), p);
      this.#pending[level] = [];
      this.#dirty[level] = false;
    }
  }

  #emit(level: number, index: number, hashes: readonly Uint8Array[]): void {
    const t: TileId = { level, index, width: hashes.length };
    this.#out.push({ ...t, path: tilePath(t), data: concatBytes(...hashes) });
  }

  /**
   * Tiles produced since the last drain: full tiles as they completed, then —
   * with `partials` — the partial tiles that changed. Call with partials=true
   * once per checkpoint: those are the tiles that checkpoint's size needs.
   */
  drain(partials: boolean): TileWrite[] {
    if (partials) {
      const size = this.#range.size;
      for (let level = 0; level < this.#pending.length; level++) {
        const p = this.#pending[level]!;
        if (this.#dirty[level] && p.length > 0) {
          this.#emit(level, Math.floor(levelCount(level, size) / TILE_WIDTH), p);
        }
        this.#dirty[level] = false;
      }
    }
    const out = this.#out;
    this.#out = [];
    return out;
  }
}

export interface BundleWrite {
  index: number;
  width: number;
  path: string;
  data: Uint8Array;
}

/** What one sequencing batch must write before its checkpoint is published. */
export interface LogBatch {
  oldSize: number;
  size: number;
  root: Uint8Array;
  tiles: TileWrite[];
  bundles: BundleWrite[];
}

/**
 * Sequencer-facing builder: add entries, then flush() once per batch to get
 * the new root and every tile / entry bundle to write. Write all of them
 * before publishing the checkpoint for `size`: a crash in between leaves the
 * old checkpoint valid (its partial tiles are untouched — never delete them
 * while they back the published checkpoint), and re-running the same batch
 * rewrites identical bytes.
 */
export class TileLogBuilder {
  #h: LogHasher;
  #tree: TileTree;
  #entries: Uint8Array[];
  #bundlesOut: BundleWrite[] = [];
  #bundleDirty = false;
  #flushedSize: number;

  private constructor(h: LogHasher, tree: TileTree, partialEntries: Uint8Array[]) {
    this.#h = h;
    this.#tree = tree;
    this.#entries = partialEntries;
    this.#flushedSize = tree.size;
  }

  static empty(h: LogHasher): TileLogBuilder {
    return new TileLogBuilder(h, TileTree.empty(h), []);
  }

  /**
   * Resume from stored state: the partial tiles of `size` and its partial entry
   * bundle (if size % 256 != 0). Each resumed entry is checked against its leaf
   * hash so a damaged bundle is not re-published inside the next full bundle.
   */
  static fromState(h: LogHasher, size: number, partialTiles: ReadonlyMap<number, Uint8Array>, partialBundle?: Uint8Array): TileLogBuilder {
    const tree = TileTree.fromPartialTiles(h, size, partialTiles);
    const width = size % TILE_WIDTH;
    let entries: Uint8Array[] = [];
    if (width > 0) {
      if (!partialBundle) fail('BAD_BUNDLE', 'missing partial entry bundle');
      entries = parseEntryBundle(partialBundle, width).map(copyBytes);
      const level0 = tileHashes(partialTiles.get(0)!, width);
      entries.forEach((e, i) => {
        if (!bytesEqual(leafHash(h, e), level0[i]!)) fail('BAD_BUNDLE', `resumed entry ${size - width + i} does not match its tile`);
      });
    }
    return new TileLogBuilder(h, tree, entries);
  }

  /** Read the partial tiles and bundle of `size` through the reader, then fromState(). */
  static async open(h: LogHasher, size: number, reader: TileReader & EntryBundleReader): Promise<TileLogBuilder> {
    const ids = partialTilesForSize(size);
    const partials = new Map<number, Uint8Array>();
    await Promise.all(ids.map(async (t) => partials.set(t.level, await reader.readTile(t.level, t.index, t.width))));
    const width = size % TILE_WIDTH;
    const bundle = width > 0 ? await reader.readEntryBundle(Math.floor(size / TILE_WIDTH), width) : undefined;
    return TileLogBuilder.fromState(h, size, partials, bundle);
  }

  get size(): number {
    return this.#tree.size;
  }

  root(): Uint8Array {
    return this.#tree.root();
  }

  /** Append one entry; returns its log index. */
  add(entry: Uint8Array): number {
    if (entry.length > MAX_ENTRY_SIZE) fail('BAD_ENTRY', `entry of ${entry.length} bytes exceeds ${MAX_ENTRY_SIZE}`);
    const index = this.#tree.size;
    this.#tree.appendLeafHash(leafHash(this.#h, entry));
    // Copy: the bundle is built later, and a caller reusing its buffer must not rewrite a logged entry.
    this.#entries.push(copyBytes(entry));
    this.#bundleDirty = true;
    if (this.#entries.length === TILE_WIDTH) {
      this.#emitBundle(Math.floor(index / TILE_WIDTH));
      this.#entries = [];
      this.#bundleDirty = false;
    }
    return index;
  }

  #emitBundle(index: number): void {
    const width = this.#entries.length;
    this.#bundlesOut.push({ index, width, path: entriesPath(index, width), data: buildEntryBundle(this.#entries) });
  }

  /** Everything to write for the entries added since the last flush, and the new root. */
  flush(): LogBatch {
    if (this.#bundleDirty && this.#entries.length > 0) this.#emitBundle(Math.floor(this.#tree.size / TILE_WIDTH));
    this.#bundleDirty = false;
    const batch: LogBatch = {
      oldSize: this.#flushedSize,
      size: this.#tree.size,
      root: this.#tree.root(),
      tiles: this.#tree.drain(true),
      bundles: this.#bundlesOut,
    };
    this.#bundlesOut = [];
    this.#flushedSize = this.#tree.size;
    return batch;
  }
}
