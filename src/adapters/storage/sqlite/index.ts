/** The embedded default: one SQLite file in the data directory, WAL so that readers (the CLI) never block the server. */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database as Schema } from '../sql/schema.ts';
import { SqlStore } from '../sql/store.ts';

export interface SqliteStoreOptions {
  /** Background folding of count deltas (docs/decisions/0002-counts.md); 0 disables it. Default 1000 ms. */
  foldIntervalMs?: number;
}

export async function openSqliteStore(file: string, opts: SqliteStoreOptions = {}): Promise<SqlStore> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Another process (the CLI, a second server) may hold the write lock briefly: wait instead of failing.
  sqlite.pragma('busy_timeout = 5000');
  const store = new SqlStore(new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) }), 'sqlite');
  await store.migrate();
  store.startFolding(opts.foldIntervalMs ?? 1000);
  return store;
}
