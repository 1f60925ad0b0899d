/**
 * Rate-limit counters shared by every server process on one PostgreSQL database (src/adapters/http/rate-limit/backend.ts
 * uses them when there is no Redis). One row per key and window: an upsert increments it, or restarts it when its
 * window has ended, and returns the count and when the window ends, so two processes racing on a key both count.
 * Times come from the database's clock, so that processes with skewed clocks agree on the window.
 */
import { sql, type Kysely } from 'kysely';

const NOW_MS = sql`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/**
 * Counts several hits at once (PostgreSQL), `n` per key (keys distinct), in one statement: each key's counter grows
 * by its n (or restarts at n when its window has ended). Returns each key's count after them and its ttl.
 * Rows are locked in key order: statements from other event-loop turns and processes run at the same time, and two
 * that took the same keys in different orders would deadlock (PostgreSQL aborts one after a second, and the limiter,
 * which lets requests through when its store fails, would not count that statement's hits).
 */
export async function rateLimitHits(db: Kysely<any>, hits: readonly { key: string; n: number }[], windowMs: number): Promise<Map<string, { current: number; ttl: number }>> {
  const r = await sql<{ key: string; n: string | number; ttl: string | number }>`
    insert into rate_limits as r (key, n, reset_at)
    select h.key, h.n, ${NOW_MS} + ${windowMs} from json_to_recordset(${JSON.stringify(hits)}::json) as h(key text, n bigint)
    order by h.key
    on conflict (key) do update set
      n = case when r.reset_at <= ${NOW_MS} then excluded.n else r.n + excluded.n end,
      reset_at = case when r.reset_at <= ${NOW_MS} then ${NOW_MS} + ${windowMs} else r.reset_at end
    returning key, n, reset_at - ${NOW_MS} as ttl`.execute(db);
  return new Map(r.rows.map((row) => [row.key, { current: Number(row.n), ttl: Math.max(0, Number(row.ttl)) }]));
}

/** The count of `key` without counting a hit. */
export async function rateLimitRead(db: Kysely<any>, key: string): Promise<{ current: number; ttl: number }> {
  const r = await sql<{ n: string | number; ttl: string | number }>`
    select n, reset_at - ${NOW_MS} as ttl from rate_limits where key = ${key} and reset_at > ${NOW_MS}`.execute(db);
  const row = r.rows[0];
  return row ? { current: Number(row.n), ttl: Math.max(0, Number(row.ttl)) } : { current: 0, ttl: 0 };
}

/** Deletes windows that ended more than a minute ago. */
export async function purgeRateLimits(db: Kysely<any>): Promise<void> {
  await sql`delete from rate_limits where reset_at < ${NOW_MS} - 60000`.execute(db);
}
