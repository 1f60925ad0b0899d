/**
 * 0020_update_fanout. An update is fanned out to its recipients in batches, each its own short transaction, so that
 * sending to 100,000 signers never holds the write lock for long (steps/updates.ts). The update row records how far
 * it got: `fanout_after` the last signature id whose mail is queued (recipients go in id order), `fanout_done` once
 * every recipient's is, `fanout_at` when the last batch committed (a fan-out left for a while is resumed by the
 * outbox worker). Updates queued before this migration were queued whole in one transaction: done.
 * The index serves the batches: a letter's confirmed signatures in id order from a cursor.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function updateFanout(_dialect: Dialect, text: TextType): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('letter_updates').addColumn('fanout_after', text).execute();
      await db.schema.alterTable('letter_updates').addColumn('fanout_done', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('letter_updates').addColumn('fanout_at', text).execute();
      await db.updateTable('letter_updates').set({ fanout_done: 1 }).execute();
      await db.schema.createIndex('letter_updates_fanout').on('letter_updates').column('fanout_done').execute();
      await db.schema.createIndex('signatures_letter_status_id').on('signatures').columns(['letter_id', 'status', 'id']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('signatures_letter_status_id').ifExists().execute();
      await db.schema.dropIndex('letter_updates_fanout').ifExists().execute();
      await db.schema.alterTable('letter_updates').dropColumn('fanout_at').execute();
      await db.schema.alterTable('letter_updates').dropColumn('fanout_done').execute();
      await db.schema.alterTable('letter_updates').dropColumn('fanout_after').execute();
    },
  };
}
