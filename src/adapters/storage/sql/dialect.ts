/**
 * The two SQL dialects of the one SQL store (docs/decisions/0001-one-sql-store-two-dialects.md), the connection type
 * every repository runs on, and the column type that differs between them.
 */
import { sql, type ColumnDataType, type Expression, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

/** The store's connection or one of its transactions: the repositories run on either. */
export type Db = Kysely<Database> | Transaction<Database>;

/** The text column type of a migration (textType). */
export type TextType = ColumnDataType | Expression<unknown>;

/**
 * The text column type. On PostgreSQL, text compares and sorts by the database's collation (en_US.UTF-8 on many
 * servers, which ignores punctuation and case at first), while SQLite and the memory store compare code units.
 * Ids, ISO timestamps (the outbox claim compares `run_at <= now`) and emails must order the same everywhere, so
 * PostgreSQL columns use the "C" collation (byte order of UTF-8 = code point order). Names are never sorted by
 * the database: the page sorts them with Intl.Collator for its language.
 */
export function textType(dialect: Dialect): TextType {
  return dialect === 'postgres' ? sql`text collate "C"` : 'text';
}
