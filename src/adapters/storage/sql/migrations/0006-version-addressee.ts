/** 0006_version_addressee: a letter text's own addressee (per language version). */
import type { Kysely, Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function versionAddressee(_dialect: Dialect, text: TextType): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('letter_texts').addColumn('addressee_name', text).execute();
      await db.schema.alterTable('letter_texts').addColumn('addressee_title', text).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('letter_texts').dropColumn('addressee_title').execute();
      await db.schema.alterTable('letter_texts').dropColumn('addressee_name').execute();
    },
  };
}
