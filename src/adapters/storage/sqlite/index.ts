/** The embedded default: one SQLite file in the data directory, WAL so that readers (the CLI) never block the server. */
import Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { Kysely, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database as Schema } from '../sql/schema.ts';
import { SqlStore } from '../sql/store.ts';
import { BUSY_TIMEOUT_MS, GroupCommit, isSqliteBusy, type SqliteTxControl } from './group-commit.ts';

export interface SqliteStoreOptions {
  /** Background folding of count deltas (docs/decisions/0002-counts.md); 0 disables it. Default 1000 ms. */
  foldIntervalMs?: number;
  /**
   * Checkpoint the WAL from a background thread (its own connection), not in the commits of this connection
   * (default false; the server turns it on). A checkpoint copies the WAL's pages into the database file and syncs
   * both: under a signing load, in the commits, it takes ~60 % of the time of a group commit, blocking the event loop.
   */
  backgroundCheckpoints?: boolean;
  /**
   * Other processes write this file too (the workers of `serve --processes N`): the group commit gathers its units
   * before taking the write lock rather than while holding it (GroupCommit.gatherInLock). Default false.
   */
  sharedWriters?: boolean;
}

/** The background checkpointer (CommonJS, run as a worker thread's eval: no TypeScript loader there). */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
let timer;
const run = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} };
const tick = () => { run(); timer = setTimeout(tick, workerData.intervalMs); };
parentPort.on('message', () => { clearTimeout(timer); run(); db.close(); parentPort.close(); });
tick();
`;

/*
 * With `serve --processes N` every worker runs its own checkpointer, and that is harmless: a PASSIVE checkpoint never
 * waits (SQLite does not call the busy handler for it), so when two threads try at once one copies the frames and the
 * other gets SQLITE_BUSY at once and tries again at its next tick; a checkpoint with nothing new to copy costs a few
 * microseconds. Running it once per machine (in the primary) would save little and leave the WAL growing whenever the
 * primary is not there (one process, the CLI) or stalls; each process keeping its own keeps the backstop below too.
 */

/** Most WAL pages before a commit of the main connection checkpoints by itself (the background thread did not). */
const BACKSTOP_PAGES = 20_000;

function startCheckpointer(file: string, intervalMs = 100): () => Promise<void> {
  const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { file, intervalMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') } });
  worker.unref();
  // A failing thread only means the backstop checkpoints (the main connection's own): report nothing.
  worker.on('error', () => undefined);
  return () => new Promise<void>((resolve) => {
    worker.once('exit', () => resolve());
    // Unref'd while it runs (it must not keep a finished process alive); ref'd while stopping, or the event loop
    // could empty while the store's close() still waits for the thread's exit.
    worker.ref();
    worker.postMessage('stop');
    setTimeout(() => void worker.terminate(), 5000).unref();
  });
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

/**
 * The group commit's BEGIN, savepoints and COMMIT on the connection itself (GroupCommit.txControl). The attempt at the
 * write lock sets busy_timeout 0 for BEGIN IMMEDIATE alone (with the default it would wait asleep, the event loop
 * with it) through `pragma()`, which prepares the statement anew each time: PRAGMA busy_timeout takes effect when it
 * is prepared, so a reused statement would not reliably set it. While another process writes, most attempts meet
 * SQLITE_BUSY: the error better-sqlite3 builds for that would capture a stack each time, which costs more than the
 * attempt itself (~75 µs of ~80), so it is built without one; any other error gets its stack. If busy_timeout cannot
 * be put back after a BEGIN that took the lock, the transaction is rolled back before the error is thrown. Exported
 * for tests.
 */
export function txControl(sqlite: Pick<Database.Database, 'prepare' | 'pragma'>): SqliteTxControl {
  const begin = sqlite.prepare('begin immediate');
  const statements = {
    savepoint: sqlite.prepare('savepoint unit'),
    release: sqlite.prepare('release unit'),
    'rollback to savepoint': sqlite.prepare('rollback to unit'),
    commit: sqlite.prepare('commit'),
    rollback: sqlite.prepare('rollback'),
  };
  return {
    tryBeginImmediate() {
      sqlite.pragma('busy_timeout = 0');
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      let began = false;
      let failed: unknown;
      try {
        begin.run();
        began = true;
      } catch (e) {
        // Every SQLITE_BUSY* (SQLITE_BUSY_RECOVERY, …) means another connection is in the way: try again later.
        if (!isSqliteBusy(e)) {
          Error.stackTraceLimit = limit;
          if (e instanceof Error) Error.captureStackTrace(e);
          failed = e;
        }
      } finally {
        Error.stackTraceLimit = limit;
      }
      try {
        sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      } catch (e) {
        // The wait could not be put back: never leave the connection inside a transaction the group will not run.
        if (began) {
          try {
            statements.rollback.run();
          } catch {
            // nothing to roll back
          }
        }
        throw failed ?? e;
      }
      if (failed !== undefined) throw failed;
      return began;
    },
    exec(statement) {
      statements[statement].run();
    },
  };
}

/** The SQL store on SQLite: every transaction is a unit of the group commit (`group`, group-commit.ts). */
export class SqliteStore extends SqlStore {
  constructor(db: Kysely<Schema>, readonly group: GroupCommit = new GroupCommit(db)) {
    super(db, 'sqlite', group);
  }
}

export async function openSqliteStore(file: string, opts: SqliteStoreOptions = {}): Promise<SqliteStore> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Another process (the CLI, a second server) may hold the write lock briefly: wait, do not fail.
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // 64 MiB of page cache (the default is 2 MiB): a letter with a million signatures keeps its indexes in memory.
  sqlite.pragma('cache_size = -65536');
  const store = new SqliteStore(new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }));
  store.group.gatherInLock = !opts.sharedWriters;
  await store.migrate();
  store.group.txControl = txControl(sqlite);
  if (opts.backgroundCheckpoints && file !== ':memory:') {
    sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    store.onClose(startCheckpointer(file));
  }
  store.startFolding(opts.foldIntervalMs ?? 1000);
  return store;
}
