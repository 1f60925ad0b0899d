/**
 * 0002_counts: counts that survive a surge (docs/decisions/0002-counts.md). Triggers append one row to count_deltas
 * per change into or out of 'confirmed' (no hot row is updated per signature); foldCounts (counts.ts) folds the
 * deltas into the per-letter, per-country and per-hour tables in batches; reads add the unfolded deltas.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect, TextType } from '../dialect.ts';

export function counts(dialect: Dialect, text: TextType): Migration {
  return {
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
  };
}
