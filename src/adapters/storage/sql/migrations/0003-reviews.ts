/** 0003_reviews: duplicate review (the blocking keys of confirmed signatures and the organisers' review queue). */
import type { Kysely, Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function reviews(_dialect: Dialect, text: TextType): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('name_keys')
        .addColumn('letter_id', text, (c) => c.notNull())
        .addColumn('signature_id', text, (c) => c.notNull())
        .addColumn('key', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('name_keys_pk', ['letter_id', 'key', 'signature_id'])
        .execute();
      await db.schema.createIndex('name_keys_signature').on('name_keys').column('signature_id').execute();
      await db.schema
        .createTable('reviews')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('letter_id', text, (c) => c.notNull())
        .addColumn('signature_id', text, (c) => c.notNull())
        .addColumn('other_id', text, (c) => c.notNull())
        .addColumn('score', 'real', (c) => c.notNull())
        .addColumn('band', text, (c) => c.notNull())
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('decided_at', text)
        .addColumn('decided_by', text)
        .addUniqueConstraint('reviews_pair', ['letter_id', 'signature_id', 'other_id'])
        .execute();
      await db.schema.createIndex('reviews_letter_status').on('reviews').columns(['letter_id', 'status', 'created_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('reviews').ifExists().execute();
      await db.schema.dropTable('name_keys').ifExists().execute();
    },
  };
}
