/**
 * Paper and imported signatures, and the notable signatories option. `signature_imports` records each import of rows
 * once per letter (unique on the letter and the rows' hash: of concurrent imports of one file, one inserts);
 * `signature_sources` says how each signature an organiser added came (paper or imported) and who added it;
 * `letter_settings` holds per-letter display options (show_notable: a "notable signatories" section of checked titles).
 * A partial index on the signatures not confirmed by email (imported = 1) keeps the public count's split, read every
 * few seconds, to those rows: a letter of a million email signatures has none in it.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function signatureSources(_dialect: Dialect, text: TextType): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('signature_imports')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('letter_id', text, (c) => c.notNull())
        .addColumn('rows_hash', text, (c) => c.notNull())
        .addColumn('source', text, (c) => c.notNull())
        .addColumn('added_by', text, (c) => c.notNull())
        .addColumn('rows', 'integer', (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addUniqueConstraint('signature_imports_letter_rows', ['letter_id', 'rows_hash'])
        .execute();
      await db.schema.createTable('signature_sources')
        .addColumn('signature_id', text, (c) => c.primaryKey())
        .addColumn('letter_id', text, (c) => c.notNull())
        .addColumn('source', text, (c) => c.notNull())
        .addColumn('added_by', text, (c) => c.notNull())
        .addColumn('import_id', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('signature_sources_letter').on('signature_sources').column('letter_id').execute();
      await db.schema.createIndex('signatures_added').on('signatures').columns(['letter_id', 'status']).where(sql<boolean>`imported = 1`).execute();
      await db.schema.createTable('letter_settings')
        .addColumn('letter_id', text, (c) => c.primaryKey())
        .addColumn('show_notable', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('signatures_added').ifExists().execute();
      for (const t of ['letter_settings', 'signature_sources', 'signature_imports']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
