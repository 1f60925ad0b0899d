/**
 * In-memory tile store: keeps the resources of LogBatch writes by path and
 * serves them through TileReader / EntryBundleReader. Used by tests, the
 * benchmark, and as a reference for storage adapters (including the
 * "full tile stands in for a deleted partial tile" fallback tlog-tiles allows).
 */
import { fail } from './errors.ts';
import { TILE_WIDTH, entriesPath, tilePath, type EntryBundleReader, type LogBatch, type TileReader } from './tiles.ts';

export class MemoryTileStore implements TileReader, EntryBundleReader {
  readonly files = new Map<string, Uint8Array>();
  reads = 0;

  write(batch: Pick<LogBatch, 'tiles' | 'bundles'>): void {
    for (const t of batch.tiles) this.files.set(t.path, t.data);
    for (const b of batch.bundles) this.files.set(b.path, b.data);
  }

  #get(exact: string, full: string): Uint8Array {
    this.reads++;
    const data = this.files.get(exact) ?? this.files.get(full);
    if (!data) fail('BAD_TILE', `not found: ${exact}`);
    return data;
  }

  async readTile(level: number, index: number, width: number): Promise<Uint8Array> {
    return this.#get(tilePath({ level, index, width }), tilePath({ level, index, width: TILE_WIDTH }));
  }

  async readEntryBundle(index: number, width: number): Promise<Uint8Array> {
    return this.#get(entriesPath(index, width), entriesPath(index, TILE_WIDTH));
  }
}
