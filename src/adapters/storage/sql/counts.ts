/**
 * Counts that survive a surge (docs/decisions/0002-counts.md): triggers append count deltas
 * (migrations/0002-counts.ts), foldDeltas folds them into the per-letter, per-country and per-hour aggregates, and
 * Folder does so in the background. Reads add the deltas not yet folded (signatures.ts countConfirmed, stats).
 */
import { sql } from 'kysely';
import type { Db, Dialect } from './dialect.ts';
import { chunks } from './rows.ts';

/** Key of the transaction-level advisory lock held while folding counts (PostgreSQL). */
export const FOLD_LOCK_KEY = 7_268_417_310_004_322n;

/**
 * Folds up to `limit` count deltas into letter_counts, letter_country_counts and letter_hourly_counts, inside the
 * transaction `trx` (SqlStore.foldCounts opens one): the deltas it deletes and the sums it adds land together, so
 * reads (aggregate + remaining deltas) stay exact throughout. On PostgreSQL one process folds at a time (a
 * transaction-level advisory lock; the others skip their turn); on SQLite the write lock serialises it.
 */
export async function foldDeltas(trx: Db, dialect: Dialect, limit: number): Promise<number> {
  if (dialect === 'postgres') {
    const got = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${sql.lit(FOLD_LOCK_KEY)}) as ok`.execute(trx);
    if (!got.rows[0]?.ok) return 0;
  }
  const { rows } = await sql<{ letter_id: string; country: string; hour: string; public: number; delta: number }>`delete from count_deltas
        where id in (select id from count_deltas order by id limit ${limit})
        returning letter_id, country, hour, public, delta`.execute(trx);
  if (!rows.length) return 0;
  const letters = new Map<string, { n: number; p: number }>();
  const countries = new Map<string, number>();
  const hours = new Map<string, number>();
  for (const r of rows) {
    const d = Number(r.delta);
    const l = letters.get(r.letter_id) ?? { n: 0, p: 0 };
    l.n += d;
    l.p += d * Number(r.public);
    letters.set(r.letter_id, l);
    const ck = `${r.letter_id}\u0000${r.country}`;
    countries.set(ck, (countries.get(ck) ?? 0) + d);
    const hk = `${r.letter_id}\u0000${r.hour}`;
    hours.set(hk, (hours.get(hk) ?? 0) + d);
  }
  const split = (k: string) => k.split('\u0000') as [string, string];
  for (const chunk of chunks([...letters], 500)) {
    await trx
      .insertInto('letter_counts')
      .values(chunk.map(([letter_id, v]) => ({ letter_id, n: v.n, n_public: v.p })))
      .onConflict((oc) => oc.column('letter_id').doUpdateSet((eb) => ({
        n: eb('letter_counts.n', '+', eb.ref('excluded.n')),
        n_public: eb('letter_counts.n_public', '+', eb.ref('excluded.n_public')),
      })))
      .execute();
  }
  for (const chunk of chunks([...countries], 500)) {
    await trx
      .insertInto('letter_country_counts')
      .values(chunk.map(([k, n]) => ({ letter_id: split(k)[0], country: split(k)[1], n })))
      .onConflict((oc) => oc.columns(['letter_id', 'country']).doUpdateSet((eb) => ({ n: eb('letter_country_counts.n', '+', eb.ref('excluded.n')) })))
      .execute();
  }
  for (const chunk of chunks([...hours], 500)) {
    await trx
      .insertInto('letter_hourly_counts')
      .values(chunk.map(([k, n]) => ({ letter_id: split(k)[0], hour: split(k)[1], n })))
      .onConflict((oc) => oc.columns(['letter_id', 'hour']).doUpdateSet((eb) => ({ n: eb('letter_hourly_counts.n', '+', eb.ref('excluded.n')) })))
      .execute();
  }
  return rows.length;
}

/**
 * Folds in the background every `intervalMs` (until stopped). Reads are exact without it; it keeps the deltas
 * they add up short. Errors are reported at most once a minute and retried at the next tick.
 */
export class Folder {
  private timer: NodeJS.Timeout | undefined;
  private folding = false;
  private lastFoldError = 0;

  /** `fold` folds one batch and answers how many deltas it folded (SqlStore.foldCounts). */
  constructor(private readonly fold: () => Promise<number>) {}

  start(intervalMs: number, onError: (e: Error) => void): void {
    if (this.timer || intervalMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.folding) return;
      this.folding = true;
      (async () => {
        // Drain a backlog (a bulk load) in batches, then wait for the next tick.
        for (let i = 0; i < 50 && this.timer; i++) if ((await this.fold()) < 20_000) break;
      })()
        .catch((e: Error) => {
          if (Date.now() - this.lastFoldError > 60_000) {
            this.lastFoldError = Date.now();
            onError(e);
          }
        })
        .finally(() => {
          this.folding = false;
        });
    }, intervalMs);
    this.timer.unref?.();
  }

  /** Stops the timer and waits for a fold under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    while (this.folding) await new Promise((r) => setTimeout(r, 5));
  }
}
