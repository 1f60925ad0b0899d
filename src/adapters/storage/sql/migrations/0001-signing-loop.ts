/** 0001_signing_loop: letters, their texts and organisers, signatures, the mail outbox, sign-in tokens and sessions. */
import type { Kysely, Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function signingLoop(_dialect: Dialect, text: TextType): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('letters')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('slug', text, (c) => c.notNull().unique())
        .addColumn('addressee_name', text, (c) => c.notNull())
        .addColumn('addressee_title', text)
        .addColumn('default_lang', text, (c) => c.notNull())
        .addColumn('goal', 'integer')
        .addColumn('state', text, (c) => c.notNull())
        .addColumn('text_version', 'integer', (c) => c.notNull())
        .addColumn('imported', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addColumn('opened_at', text)
        .addColumn('closed_at', text)
        .execute();
      await db.schema
        .createTable('letter_texts')
        .addColumn('letter_id', text, (c) => c.notNull().references('letters.id').onDelete('cascade'))
        .addColumn('text_version', 'integer', (c) => c.notNull())
        .addColumn('lang', text, (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('title', text, (c) => c.notNull())
        .addColumn('body', text, (c) => c.notNull())
        .addColumn('statement', text)
        .addPrimaryKeyConstraint('letter_texts_pk', ['letter_id', 'text_version', 'lang'])
        .execute();
      await db.schema
        .createTable('letter_organisers')
        .addColumn('letter_id', text, (c) => c.notNull().references('letters.id').onDelete('cascade'))
        .addColumn('email', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('letter_organisers_pk', ['letter_id', 'email'])
        .execute();
      await db.schema.createIndex('letter_organisers_email').on('letter_organisers').column('email').execute();
      await db.schema
        .createTable('signatures')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('letter_id', text, (c) => c.notNull().references('letters.id').onDelete('cascade'))
        .addColumn('email', text, (c) => c.notNull())
        .addColumn('email_key', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('name_alt', text)
        .addColumn('title', text)
        .addColumn('country', text)
        .addColumn('visibility', text, (c) => c.notNull())
        .addColumn('lang', text, (c) => c.notNull())
        .addColumn('consent_updates', 'integer', (c) => c.notNull())
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('text_version', 'integer', (c) => c.notNull())
        .addColumn('token_hash', text)
        .addColumn('token_expires_at', text)
        .addColumn('mails_sent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('imported', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addColumn('confirmed_at', text)
        .addColumn('withdrawn_at', text)
        .addUniqueConstraint('signatures_letter_email', ['letter_id', 'email_key'])
        .execute();
      await db.schema.createIndex('signatures_token').on('signatures').column('token_hash').execute();
      await db.schema.createIndex('signatures_letter_status').on('signatures').columns(['letter_id', 'status', 'visibility']).execute();
      await db.schema
        .createTable('outbox')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('payload', text, (c) => c.notNull())
        .addColumn('run_at', text, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', text)
        .addColumn('done_at', text)
        .addColumn('last_error', text)
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('outbox_due').on('outbox').columns(['done_at', 'run_at']).execute();
      await db.schema
        .createTable('login_tokens')
        .addColumn('token_hash', text, (c) => c.primaryKey())
        .addColumn('email', text, (c) => c.notNull())
        .addColumn('expires_at', text, (c) => c.notNull())
        .addColumn('used_at', text)
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', text, (c) => c.primaryKey())
        .addColumn('email', text, (c) => c.notNull())
        .addColumn('expires_at', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['sessions', 'login_tokens', 'outbox', 'signatures', 'letter_organisers', 'letter_texts', 'letters']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}
