/** 0005_rate_limits: the rate-limit counters (rate-limits.ts: the server processes on one PostgreSQL database share them). */
import type { Kysely, Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function rateLimits(_dialect: Dialect, text: TextType): Migration {
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
