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

/**
 * Kysely prepares every query anew; preparing costs more than running most of ours. Statements are reused by SQL
 * text (Kysely only calls all/run/iterate on them, one at a time on the one connection), up to `max` kinds.
 */
function withStatementCache(db: Database.Database, max = 500): Database.Database {
  const cache = new Map<string, Database.Statement>();
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'prepare') {
        return (source: string) => {
          let st = cache.get(source);
          if (!st) {
            st = target.prepare(source);
            if (cache.size >= max) cache.delete(cache.keys().next().value!);
            cache.set(source, st);
          }
          return st;
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
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
  // 64 MiB of page cache (the default is 2 MiB): a letter with a million signatures keeps its indexes in memory.
  sqlite.pragma('cache_size = -65536');
  const store = new SqlStore(new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }), 'sqlite');
  await store.migrate();
  store.startFolding(opts.foldIntervalMs ?? 1000);
  return store;
}
