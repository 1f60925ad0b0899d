/**
 * 0013_deliveries. A letter's targets (its addressees with an email, private) and the deliveries of its PDF to
 * them: one row per target per delivery, keyed by the id of its outbox mail, with its status and the PDF's hash.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function deliveries(_dialect: Dialect, text: TextType): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('letter_targets')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('letter_id', text, (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('title', text)
        .addColumn('email', text, (c) => c.notNull())
        .addColumn('lang', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('letter_targets_letter').on('letter_targets').columns(['letter_id', 'position']).execute();
      await db.schema
        .createTable('deliveries')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('run', text, (c) => c.notNull())
        .addColumn('letter_id', text, (c) => c.notNull())
        .addColumn('target_id', text, (c) => c.notNull())
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('error', text)
        .addColumn('pdf_sha256', text, (c) => c.notNull())
        .addColumn('tree_size', 'integer', (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addColumn('sent_at', text)
        .execute();
      await db.schema.createIndex('deliveries_letter').on('deliveries').columns(['letter_id', 'created_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('deliveries').ifExists().execute();
      await db.schema.dropTable('letter_targets').ifExists().execute();
    },
  };
}
