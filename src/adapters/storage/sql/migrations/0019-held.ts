/**
 * Held signatures (issue 15 item 7): `hold` keeps why a signing was held (comma-separated reasons, core/signatures/
 * hold.ts; null when it was not), `source` the hashed address prefix it came from (what organisers group signings
 * by; never the address). A held signature, once confirmed, has status 'held': the count triggers of 0002 count only
 * 'confirmed', so it is not counted until an organiser releases it.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function held(_dialect: Dialect, text: TextType): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('signatures').addColumn('hold', text).execute();
      await db.schema.alterTable('signatures').addColumn('source', text).execute();
      await db.schema.createIndex('signatures_letter_held').on('signatures').columns(['letter_id', 'status']).where(sql.ref('hold'), 'is not', null).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('signatures_letter_held').ifExists().execute();
      await db.schema.alterTable('signatures').dropColumn('source').execute();
      await db.schema.alterTable('signatures').dropColumn('hold').execute();
    },
  };
}
