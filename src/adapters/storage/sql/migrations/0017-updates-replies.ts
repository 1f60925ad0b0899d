/**
 * 0017_updates_replies. Updates mailed to a letter's consenting signers (one row per update, unique per letter and
 * key: a double click sends one) and the addressee's replies (their texts as JSON, the PDF as base64, the hashes
 * logged). Unsubscribing clears the signature's consent_updates, so no column is added there.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function updatesReplies(_dialect: Dialect, text: TextType): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('letter_updates')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('letter_id', text, (c) => c.notNull())
        .addColumn('update_key', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('subject', text, (c) => c.notNull())
        .addColumn('body', text, (c) => c.notNull())
        .addColumn('reply_id', text)
        .addColumn('recipients', 'integer', (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('created_by', text)
        .execute();
      await db.schema.createIndex('letter_updates_key').on('letter_updates').columns(['letter_id', 'update_key']).unique().execute();
      await db.schema
        .createTable('letter_replies')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('letter_id', text, (c) => c.notNull())
        .addColumn('received_on', text, (c) => c.notNull())
        .addColumn('texts', text, (c) => c.notNull())
        .addColumn('text_sha256', text, (c) => c.notNull())
        .addColumn('pdf_sha256', text)
        .addColumn('pdf', text)
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('created_by', text)
        .execute();
      await db.schema.createIndex('letter_replies_letter').on('letter_replies').columns(['letter_id', 'received_on']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('letter_replies').ifExists().execute();
      await db.schema.dropTable('letter_updates').ifExists().execute();
    },
  };
}
