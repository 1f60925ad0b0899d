/**
 * 0015_name_key_versions: each stored blocking key records the version of the key function that made it
 * (core/names KEY_VERSION), so that when the function changes a background job (use-cases/workers/rekey-names.ts)
 * recomputes the older keys and re-checks those signatures for duplicates. Existing keys are version 1.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function nameKeyVersions(_dialect: Dialect, _text: TextType): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('name_keys').addColumn('key_version', 'integer', (c) => c.notNull().defaultTo(1)).execute();
      await db.schema.createIndex('name_keys_version').on('name_keys').columns(['key_version', 'signature_id']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('name_keys_version').execute();
      await db.schema.alterTable('name_keys').dropColumn('key_version').execute();
    },
  };
}
