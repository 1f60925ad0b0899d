/**
 * Rate-limit counters shared by every server process on one PostgreSQL database (src/adapters/http/rate-limit-store.ts
 * uses them when there is no Redis). One row per key and window: an upsert increments it, or restarts it when its
 * window has ended, and returns the count and when the window ends, so two processes racing on a key both count.
 * Times come from the database's clock, so that processes with skewed clocks agree on the window.
 */
import { sql, type ColumnDataType, type Expression, type Kysely, type Migration } from 'kysely';

export function rateLimitsMigration(text: ColumnDataType | Expression<unknown>): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('rate_limits')
        .addColumn('key', text, (c) => c.primaryKey())
        .addColumn('n', 'bigint', (c) => c.notNull())
        .addColumn('reset_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('rate_limits_reset').on('rate_limits').column('reset_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('rate_limits').ifExists().execute();
    },
  };
}

const NOW_MS = sql`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Counts one hit of `key` in a window of `windowMs` (PostgreSQL). ttl: milliseconds until the window ends. */
export async function rateLimitHit(db: Kysely<any>, key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
  const r = await sql<{ n: string | number; ttl: string | number }>`
    insert into rate_limits as r (key, n, reset_at) values (${key}, 1, ${NOW_MS} + ${windowMs})
    on conflict (key) do update set
      n = case when r.reset_at <= ${NOW_MS} then 1 else r.n + 1 end,
      reset_at = case when r.reset_at <= ${NOW_MS} then ${NOW_MS} + ${windowMs} else r.reset_at end
    returning n, reset_at - ${NOW_MS} as ttl`.execute(db);
  const row = r.rows[0]!;
  return { current: Number(row.n), ttl: Math.max(0, Number(row.ttl)) };
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
