/**
 * 0007_rate_limits_unlogged (PostgreSQL).
 * Rate-limit counters need no crash safety (after a crash they start again: at worst one more minute of
 * allowance), and on a logged table every counted request was a commit waiting for its WAL flush, one per signing
 * attempt with the limiter on. Unlogged: the same shared table, no WAL, a commit that does not wait for the disk.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function rateLimitsUnlogged(dialect: Dialect, _text: TextType): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect === 'postgres') await sql`alter table rate_limits set unlogged`.execute(db);
    },
    async down(db: Kysely<any>) {
      if (dialect === 'postgres') await sql`alter table rate_limits set logged`.execute(db);
    },
  };
}
