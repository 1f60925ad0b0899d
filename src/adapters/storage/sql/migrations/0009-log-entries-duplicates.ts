/**
 * 0009_log_entries_duplicates.
 * Duplicate entries (docs/transparency-log.md §7.8): the openings export finds a signature's previous `sig`
 * entry, and the count of removals each signature's first cancellation, through these.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function logEntriesDuplicates(_dialect: Dialect, _text: TextType): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createIndex('log_entries_signature').on('log_entries').columns(['signature_id', 'idx']).execute();
      await db.schema.createIndex('log_entries_ref').on('log_entries').column('ref_entry_id').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('log_entries_ref').ifExists().execute();
      await db.schema.dropIndex('log_entries_signature').ifExists().execute();
    },
  };
}
