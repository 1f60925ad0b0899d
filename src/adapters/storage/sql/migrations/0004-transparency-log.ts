/**
 * 0004_transparency_log (docs/transparency-log.md §7): the entry queue, the private openings of signatures, signer
 * tokens, retention settings, tiles and entry bundles, the checkpoint, and the sequencer's lock row.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function transparencyLog(dialect: Dialect, text: TextType): Migration {
  const pg = dialect === 'postgres';
  const blob = pg ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('log_entries')
        .addColumn('id', pg ? 'bigserial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('letter', text, (c) => c.notNull())
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addColumn('bytes', blob)
        .addColumn('ref_entry_id', 'bigint')
        .addColumn('reason', text)
        .addColumn('signature_id', text)
        .addColumn('text_hash', text)
        .addColumn('idx', 'bigint', (c) => c.unique())
        .execute();
      // The sequencer reads the unsequenced entries in queue order.
      await db.schema.createIndex('log_entries_pending').on('log_entries').column('id').where(sql.ref('idx'), 'is', null).execute();
      await db.schema.createIndex('log_entries_letter_kind').on('log_entries').columns(['letter', 'kind']).execute();
      await db.schema
        .createTable('signature_log')
        .addColumn('signature_id', text, (c) => c.primaryKey())
        .addColumn('letter_id', text, (c) => c.notNull())
        .addColumn('entry_id', 'bigint', (c) => c.notNull())
        .addColumn('name_opening', blob)
        .addColumn('contact_opening', blob)
        .addColumn('erased_at', text)
        .execute();
      await db.schema.createIndex('signature_log_entry').on('signature_log').column('entry_id').execute();
      await db.schema
        .createTable('signer_tokens')
        .addColumn('token_hash', text, (c) => c.primaryKey())
        .addColumn('signature_id', text, (c) => c.notNull())
        .addColumn('purpose', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('signer_tokens_signature').on('signer_tokens').column('signature_id').execute();
      await db.schema
        .createTable('letter_retention')
        .addColumn('letter_id', text, (c) => c.primaryKey())
        .addColumn('days', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('log_tiles')
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('idx', 'bigint', (c) => c.notNull())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('data', blob, (c) => c.notNull())
        .addPrimaryKeyConstraint('log_tiles_pk', ['level', 'idx'])
        .execute();
      await db.schema
        .createTable('log_state')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('root', blob, (c) => c.notNull())
        .addColumn('checkpoint', text, (c) => c.notNull())
        .addColumn('vkey', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .execute();
      await db.schema.createTable('log_lock').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('n', 'bigint', (c) => c.notNull()).execute();
      await db.insertInto('log_lock').values({ id: 1, n: 0 }).execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['log_lock', 'log_state', 'log_tiles', 'letter_retention', 'signer_tokens', 'signature_log', 'log_entries']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}
