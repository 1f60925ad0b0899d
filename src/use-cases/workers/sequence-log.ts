/**
 * The sequencer: gives queued entries their log indexes, writes the tiles and entry bundles they change, then signs
 * and publishes a checkpoint (the contract in docs/transparency-log.md §4).
 *
 * One batch is one transaction, in this order: take the sequencer lock (PostgreSQL advisory lock; SQLite's write
 * lock), read the published state, record the batch (indexes and bytes of its entries), write its tiles and
 * bundles, publish the checkpoint. Threats and how each is met:
 * - Two processes sequencing at once would fork the log: the lock admits one batch at a time, and the checkpoint is
 *   published only if the stored state still has the size this batch extended (compare-and-set), and entries are
 *   recorded only if still unsequenced — a stale process's batch is rolled back.
 * - A crash between writing the tiles and the checkpoint: the transaction rolls back, so the published checkpoint,
 *   its tiles and its entries stay exactly as they were (it still verifies); the next batch re-sequences the same
 *   queue. Even without the transaction the old checkpoint would verify: tiles are only ever widened, never
 *   narrowed, and a narrower tile is served as the prefix of the wider one (so its bytes never change).
 * - A damaged tile or a foreign key: resuming reads the partial tiles of the published size and refuses to extend a
 *   tree whose root differs from the signed one; a process whose key differs from the log's refuses to sign.
 */
import type { LogCrypto } from '../../core/log/crypto.ts';
import { bytesEqual, encodeEntry, leafHash, makeCheckpoint, TileLogBuilder, type NoteSigner } from '../../core/log/index.ts';
import type { LogRepo, QueuedEntry, StoredTile } from '../../core/log-ports.ts';
import type { Store } from '../../core/ports.ts';
import type { Clock } from '../../core/ports.ts';

export interface SequencerOptions {
  crypto: LogCrypto;
  signer: NoteSigner & { vkey: string };
  origin: string;
  /** Most entries per batch (one transaction). */
  batchSize?: number;
  /** Test hook: runs after the tiles are written and before the checkpoint (throw to simulate a crash). */
  afterTiles?: () => Promise<void> | void;
}

export class LogKeyMismatch extends Error {}

function tileReader(log: LogRepo) {
  return {
    async readTile(level: number, index: number, width: number) {
      const t = await log.readTile(level, index, width);
      if (!t) throw new Error(`missing tile ${level}/${index} (width ${width})`);
      return t;
    },
    async readEntryBundle(index: number, width: number) {
      const b = await log.readBundle(index, width);
      if (!b) throw new Error(`missing entry bundle ${index} (width ${width})`);
      return b;
    },
  };
}

export class Sequencer {
  private builder: TileLogBuilder | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private lastError = 0;
  private poked: NodeJS.Timeout | undefined;
  readonly batchSize: number;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly o: SequencerOptions,
    private readonly onError: (e: Error) => void = (e) => console.error(`undersigned: sequencer: ${e.message}`),
  ) {
    this.batchSize = o.batchSize ?? 5000;
  }

  /** Sequences one batch; returns how many entries it added (0: nothing queued, or another process holds the lock). */
  async runOnce(): Promise<number> {
    const h = this.o.crypto;
    let next: TileLogBuilder | undefined;
    const n = await this.store.transaction(async (tx) => {
      if (!(await tx.log.lockSequencer())) return 0;
      const st = await tx.log.state();
      if (st && st.vkey !== this.o.signer.vkey) {
        throw new LogKeyMismatch(`the log is signed by ${st.vkey}, this process has ${this.o.signer.vkey}: refusing to sign (set UNDERSIGNED_LOG_KEY to the log's key)`);
      }
      const size = st?.size ?? 0;
      let b = this.builder;
      this.builder = undefined; // until this batch commits
      if (!b || b.size !== size || (st && !bytesEqual(b.root(), st.root))) {
        b = size === 0 ? TileLogBuilder.empty(h) : await TileLogBuilder.open(h, size, tileReader(tx.log));
        if (st && !bytesEqual(b.root(), st.root)) throw new Error(`the stored tiles of size ${size} do not match the published checkpoint: refusing to extend the log`);
      }
      const pending = await tx.log.pending(this.batchSize);
      if (!pending.length && st) {
        next = b;
        return 0;
      }
      const rows = await this.assign(tx.log, b, pending);
      await tx.log.recordSequenced(rows);
      const batch = b.flush();
      const tiles: StoredTile[] = [
        ...batch.tiles.map((t) => ({ level: t.level, index: t.index, width: t.width, data: t.data })),
        ...batch.bundles.map((x) => ({ level: -1, index: x.index, width: x.width, data: x.data })),
      ];
      await tx.log.putTiles(tiles);
      await this.o.afterTiles?.();
      const checkpoint = makeCheckpoint(this.o.origin, batch.size, batch.root, [this.o.signer]);
      const ok = await tx.log.putState({ size: batch.size, root: batch.root, checkpoint, vkey: this.o.signer.vkey, updatedAt: this.clock.now().toISOString() }, st ? st.size : null);
      if (!ok) throw new Error('the log moved during this batch (another sequencer?): batch abandoned');
      next = b;
      return rows.length;
    });
    this.builder = next;
    return n;
  }

  /** Gives each entry its index; withdrawals and removals get their ref (index and leaf hash of the sig entry) now. */
  private async assign(log: LogRepo, b: TileLogBuilder, pending: QueuedEntry[]): Promise<{ id: number; index: number; bytes: Uint8Array }[]> {
    const h = this.o.crypto;
    const inBatch = new Map<number, { index: number; bytes: Uint8Array }>();
    const refIds = pending.filter((e) => e.refEntryId !== undefined).map((e) => e.refEntryId!);
    const earlier = new Map<number, { index: number; bytes: Uint8Array }>();
    if (refIds.length) {
      for (const e of await log.entriesById(refIds)) if (e.index !== undefined && e.bytes) earlier.set(e.id, { index: e.index, bytes: e.bytes });
    }
    const rows: { id: number; index: number; bytes: Uint8Array }[] = [];
    for (const e of pending) {
      let bytes = e.bytes;
      if (e.kind === 'withdraw' || e.kind === 'remove') {
        const ref = inBatch.get(e.refEntryId!) ?? earlier.get(e.refEntryId!);
        // Queue order puts a sig entry before anything that cancels it; if it is not sequenced yet, wait for it.
        if (!ref) break;
        bytes = encodeEntry(
          e.kind === 'withdraw'
            ? { type: 'withdraw', letter: e.letter, time: e.time, ref: ref.index, refHash: leafHash(h, ref.bytes), reason: 'signer' }
            : { type: 'remove', letter: e.letter, time: e.time, ref: ref.index, refHash: leafHash(h, ref.bytes), reason: e.reason ?? 'fraud' },
        );
      }
      if (!bytes) break;
      const index = b.add(bytes);
      if (e.kind === 'sig') inBatch.set(e.id, { index, bytes });
      rows.push({ id: e.id, index, bytes });
    }
    return rows;
  }

  /** Sequences until the queue is empty (or `maxBatches` batches ran). */
  async drain(maxBatches = 1000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = await this.runOnce();
      total += n;
      if (n < this.batchSize) break;
    }
    return total;
  }

  /** Runs a drain unless one is running; errors are reported at most once a minute and retried next tick. */
  tick(): Promise<unknown> {
    if (this.running) return this.running;
    this.running = this.drain(50)
      .catch((e: Error) => {
        this.builder = undefined;
        if (Date.now() - this.lastError > 60_000 || e instanceof LogKeyMismatch) {
          this.lastError = Date.now();
          this.onError(e);
        }
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Sequences every `intervalMs` (the batching window) until stop(). */
  start(intervalMs = 1000): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref?.();
  }

  /** After a confirmation: sequence soon rather than at the next tick (only while started; tests drain by hand). */
  poke(): void {
    if (!this.timer || this.poked) return;
    this.poked = setTimeout(() => {
      this.poked = undefined;
      void this.tick();
    }, 50);
    this.poked.unref?.();
  }

  async stop(): Promise<void> {
    if (this.poked) clearTimeout(this.poked);
    this.poked = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
