/**
 * Schema migrations, written once with Kysely's schema builder so that both dialects share them.
 * A migration that must differ per dialect takes the dialect name. Never edit a released migration: add one.
 */
import { sql, type ColumnDataType, type Expression, type Kysely, type Migration, type MigrationProvider } from 'kysely';

import { reviewsMigration } from './reviews.ts';
import { logMigration } from './log.ts';
import { rateLimitsMigration } from './rate-limits.ts';
import { deskMigration, titleChecksMigration } from './desk.ts';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The text column type. On PostgreSQL, text compares and sorts by the database's collation (en_US.UTF-8 on many
 * servers, which ignores punctuation and case at first), while SQLite and the memory store compare code units.
 * Ids, ISO timestamps (the outbox claim compares `run_at <= now`) and emails must order the same everywhere, so
 * PostgreSQL columns use the "C" collation (byte order of UTF-8 = code point order). Names are never sorted by
 * the database: the page sorts them with Intl.Collator for its language.
 */
function textType(dialect: Dialect): ColumnDataType | Expression<unknown> {
  return dialect === 'postgres' ? sql`text collate "C"` : 'text';
}

function migrations(dialect: Dialect): Record<string, Migration> {
  const text = textType(dialect);
  return {
    '0001_signing_loop': {
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
    },
    '0003_reviews': reviewsMigration(text),
    '0004_transparency_log': logMigration(dialect, text),
    '0005_rate_limits': rateLimitsMigration(text),
    '0006_version_addressee': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('letter_texts').addColumn('addressee_name', text).execute();
        await db.schema.alterTable('letter_texts').addColumn('addressee_title', text).execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.alterTable('letter_texts').dropColumn('addressee_title').execute();
        await db.schema.alterTable('letter_texts').dropColumn('addressee_name').execute();
      },
    },
    // Rate-limit counters need no crash safety (after a crash they start again: at worst one more minute of
    // allowance), and on a logged table every counted request was a commit waiting for its WAL flush, one per signing
    // attempt with the limiter on. Unlogged: the same shared table, no WAL, a commit that does not wait for the disk.
    '0007_rate_limits_unlogged': {
      async up(db: Kysely<any>) {
        if (dialect === 'postgres') await sql`alter table rate_limits set unlogged`.execute(db);
      },
      async down(db: Kysely<any>) {
        if (dialect === 'postgres') await sql`alter table rate_limits set logged`.execute(db);
      },
    },
    // The mail queue on PostgreSQL, where every signing adds a row that the worker then claims (an update) and
    // completes (another): with the default fillfactor each update was a new row version with new entries in
    // outbox_due, and the claim's scan read every dead entry again until a vacuum (measured: 14,778 index entries and
    // 7 ms for one claim after 10,000 signings). Half-empty pages let both updates stay on their page (HOT: no index
    // entry), and a partial index holds only the mails still to send: WAL per signing 3.9 → 2.8 kB. SQLite keeps
    // outbox_due (its updates rewrite the row in place).
    '0008_outbox_queue': {
      async up(db: Kysely<any>) {
        if (dialect !== 'postgres') return;
        await sql`alter table outbox set (fillfactor = 50)`.execute(db);
        await sql`create index outbox_pending on outbox (run_at) where done_at is null`.execute(db);
        await sql`drop index outbox_due`.execute(db);
      },
      async down(db: Kysely<any>) {
        if (dialect !== 'postgres') return;
        await sql`create index outbox_due on outbox (done_at, run_at)`.execute(db);
        await sql`drop index outbox_pending`.execute(db);
        await sql`alter table outbox reset (fillfactor)`.execute(db);
      },
    },
    '0002_counts': {
      // Counts that survive a surge (docs/decisions/0002-counts.md): triggers append one row to count_deltas per
      // change into or out of 'confirmed' (no hot row is updated per signature); SqlStore.foldCounts() folds the
      // deltas into the per-letter, per-country and per-hour tables in batches; reads add the unfolded deltas.
      async up(db: Kysely<any>) {
        const pg = dialect === 'postgres';
        await db.schema
          .createTable('count_deltas')
          .addColumn('id', pg ? 'bigserial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn('letter_id', text, (c) => c.notNull())
          .addColumn('country', text, (c) => c.notNull())
          .addColumn('hour', text, (c) => c.notNull())
          .addColumn('public', 'integer', (c) => c.notNull())
          .addColumn('delta', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('count_deltas_letter').on('count_deltas').column('letter_id').execute();
        await db.schema
          .createTable('letter_counts')
          .addColumn('letter_id', text, (c) => c.primaryKey())
          .addColumn('n', 'bigint', (c) => c.notNull())
          .addColumn('n_public', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('letter_country_counts')
          .addColumn('letter_id', text, (c) => c.notNull())
          .addColumn('country', text, (c) => c.notNull())
          .addColumn('n', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('letter_country_counts_pk', ['letter_id', 'country'])
          .execute();
        await db.schema
          .createTable('letter_hourly_counts')
          .addColumn('letter_id', text, (c) => c.notNull())
          .addColumn('hour', text, (c) => c.notNull())
          .addColumn('n', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('letter_hourly_counts_pk', ['letter_id', 'hour'])
          .execute();
        // The public list's incremental refresh reads what changed since a time (use-cases/public-letter.ts).
        await db.schema.createIndex('signatures_letter_updated').on('signatures').columns(['letter_id', 'updated_at', 'id']).execute();

        // Signatures confirmed before this migration: straight into the aggregates.
        const hour = sql`coalesce(substr(confirmed_at, 1, 13), '')`;
        await sql`insert into letter_counts (letter_id, n, n_public)
          select letter_id, count(*), sum(case when visibility = 'public' then 1 else 0 end) from signatures
          where status = 'confirmed' group by letter_id`.execute(db);
        await sql`insert into letter_country_counts (letter_id, country, n)
          select letter_id, coalesce(country, ''), count(*) from signatures where status = 'confirmed' group by letter_id, coalesce(country, '')`.execute(db);
        await sql`insert into letter_hourly_counts (letter_id, hour, n)
          select letter_id, ${hour}, count(*) from signatures where status = 'confirmed' group by letter_id, ${hour}`.execute(db);

        const row = (r: 'NEW' | 'OLD', delta: 1 | -1) =>
          `(${r}.letter_id, coalesce(${r}.country, ''), coalesce(substr(${r}.confirmed_at, 1, 13), ''), case when ${r}.visibility = 'public' then 1 else 0 end, ${delta})`;
        // An update of a confirmed row that changes nothing counted (name, token, mails…) writes no delta.
        const same = `(OLD.status = 'confirmed' and NEW.status = 'confirmed' and OLD.letter_id = NEW.letter_id
          and coalesce(OLD.country, '') = coalesce(NEW.country, '') and OLD.visibility = NEW.visibility
          and coalesce(substr(OLD.confirmed_at, 1, 13), '') = coalesce(substr(NEW.confirmed_at, 1, 13), ''))`;
        const cols = 'count_deltas (letter_id, country, hour, public, delta)';
        if (pg) {
          await sql.raw(`create function undersigned_count_delta() returns trigger language plpgsql as $$
            begin
              if TG_OP = 'UPDATE' then
                if ${same} then return null; end if;
              end if;
              if TG_OP in ('UPDATE', 'DELETE') then
                if OLD.status = 'confirmed' then insert into ${cols} values ${row('OLD', -1)}; end if;
              end if;
              if TG_OP in ('INSERT', 'UPDATE') then
                if NEW.status = 'confirmed' then insert into ${cols} values ${row('NEW', 1)}; end if;
              end if;
              return null;
            end $$`).execute(db);
          await sql.raw(`create trigger signatures_count_ins after insert on signatures for each row
            when (NEW.status = 'confirmed') execute function undersigned_count_delta()`).execute(db);
          await sql.raw(`create trigger signatures_count_upd after update on signatures for each row
            when (OLD.status = 'confirmed' or NEW.status = 'confirmed') execute function undersigned_count_delta()`).execute(db);
          await sql.raw(`create trigger signatures_count_del after delete on signatures for each row
            when (OLD.status = 'confirmed') execute function undersigned_count_delta()`).execute(db);
        } else {
          await sql.raw(`create trigger signatures_count_ins after insert on signatures when NEW.status = 'confirmed'
            begin insert into ${cols} values ${row('NEW', 1)}; end`).execute(db);
          await sql.raw(`create trigger signatures_count_upd after update on signatures
            when (OLD.status = 'confirmed' or NEW.status = 'confirmed') and not ${same}
            begin
              insert into ${cols} select ${row('OLD', -1).slice(1, -1)} where OLD.status = 'confirmed';
              insert into ${cols} select ${row('NEW', 1).slice(1, -1)} where NEW.status = 'confirmed';
            end`).execute(db);
          await sql.raw(`create trigger signatures_count_del after delete on signatures when OLD.status = 'confirmed'
            begin insert into ${cols} values ${row('OLD', -1)}; end`).execute(db);
        }
      },
      async down(db: Kysely<any>) {
        for (const t of ['signatures_count_ins', 'signatures_count_upd', 'signatures_count_del']) {
          await sql.raw(dialect === 'postgres' ? `drop trigger if exists ${t} on signatures` : `drop trigger if exists ${t}`).execute(db);
        }
        if (dialect === 'postgres') await sql`drop function if exists undersigned_count_delta()`.execute(db);
        await db.schema.dropIndex('signatures_letter_updated').ifExists().execute();
        for (const t of ['letter_hourly_counts', 'letter_country_counts', 'letter_counts', 'count_deltas']) await db.schema.dropTable(t).ifExists().execute();
      },
    },
    // Duplicate entries (docs/transparency-log.md §7.8): the openings export finds a signature's previous `sig`
    // entry, and the count of removals each signature's first cancellation, through these.
    '0009_log_entries_duplicates': {
      async up(db: Kysely<any>) {
        await db.schema.createIndex('log_entries_signature').on('log_entries').columns(['signature_id', 'idx']).execute();
        await db.schema.createIndex('log_entries_ref').on('log_entries').column('ref_entry_id').execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.dropIndex('log_entries_ref').ifExists().execute();
        await db.schema.dropIndex('log_entries_signature').ifExists().execute();
      },
    },
    '0011_desk': deskMigration(text),
    '0011b_title_checks': titleChecksMigration(text),
  };
}

export class StaticMigrations implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

export { sql };
