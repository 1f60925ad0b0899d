/**
 * Mails that failed for good. `outbox.failed_at` marks a job that will not be tried again (the server refused its
 * recipient: an SMTP 5xx); `undeliverable_addresses` keeps the refused address with the server's reason, so that
 * organisers see which signers cannot receive their link and the health endpoint counts them. Erasure deletes a
 * person's row here as it deletes their outbox rows.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function mailFailures(_dialect: Dialect, text: TextType): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('outbox').addColumn('failed_at', text).execute();
      await db.schema
        .createTable('undeliverable_addresses')
        .addColumn('email', text, (c) => c.primaryKey())
        .addColumn('reason', text, (c) => c.notNull())
        .addColumn('failed_at', text, (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('undeliverable_addresses').ifExists().execute();
      await db.schema.alterTable('outbox').dropColumn('failed_at').execute();
    },
  };
}
