/**
 * The scale-out store: PostgreSQL through pg.Pool and Kysely, the same SqlStore as SQLite. Several server
 * processes may open it at once; the migrator runs under an advisory lock so that they do not race it.
 */
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database as Schema } from '../sql/schema.ts';
import { SqlStore } from '../sql/store.ts';
import { preparedOnServer } from '../sql/prepared.ts';

export interface PostgresStoreOptions {
  /** Connections in this process's pool (default 10). Mind the server's max_connections across all processes. */
  max?: number;
  /**
   * Server-side limit for one statement (default 30 s): a runaway query is cancelled rather than holding locks and a
   * connection while requests pile up behind it. 0 disables it.
   */
  statementTimeoutMs?: number;
  /** A transaction left open by a stuck request is ended by the server after this long (default 60 s). */
  idleInTransactionTimeoutMs?: number;
  /** How long to wait for a new connection before failing the request (default 10 s; pg's default waits forever). */
  connectionTimeoutMs?: number;
  /** How long a starting process waits for another one's migration (default 5 min). */
  migrationLockTimeoutMs?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  /** Background folding of count deltas (docs/decisions/0002-counts.md); 0 disables it. Default 1000 ms. */
  foldIntervalMs?: number;
  /** Run migrations when opening (default true). */
  migrate?: boolean;
  /**
   * Send the hot statements as named statements, prepared once per connection (default true). Off behind a pooler
   * that hands each transaction another server connection (PgBouncer in transaction mode), where a statement
   * prepared on one is missing on the next (`UNDERSIGNED_PG_NAMED_STATEMENTS=off`).
   */
  namedStatements?: boolean;
  /**
   * Called for errors of idle or checked-out connections (the server restarted, a backend was terminated).
   * Without a listener pg would throw them as uncaught exceptions and crash the process; the pool drops the broken
   * connection and the next query opens a new one. Default: one line on stderr.
   */
  onError?: (err: Error) => void;
}

/** Key of the session-level advisory lock held while migrating (any fixed 64-bit number unique to this app). */
export const MIGRATION_LOCK_KEY = 7_268_417_310_004_321n;

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<SqlStore> {
  const onError = opts.onError ?? ((err: Error) => console.error(`undersigned: PostgreSQL connection error: ${err.message}`));
  // One error can reach both listeners below (the pool's idle listener and ours): report it once.
  const reported = new WeakSet<Error>();
  const report = (err: Error) => {
    if (reported.has(err)) return;
    reported.add(err);
    onError(err);
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    statement_timeout: opts.statementTimeoutMs ?? 30_000,
    idle_in_transaction_session_timeout: opts.idleInTransactionTimeoutMs ?? 60_000,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: opts.applicationName ?? 'undersigned',
  });
  // Idle connections: the pool re-emits their errors here.
  pool.on('error', report);
  // Checked-out connections: pg-pool removes its listener while a client is lent out, so an error between two
  // queries of a transaction would otherwise be an uncaught 'error' event.
  pool.on('connect', (client) => {
    client.on('error', report);
    if (opts.namedStatements !== false) useNamedStatements(client);
  });

  const store = new SqlStore(new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) }), 'postgres');
  if (opts.migrate !== false) await migrateOrExplain(store, url, opts);
  store.startFolding(opts.foldIntervalMs ?? 1000, (e) => onError(new Error(`folding counts failed: ${e.message}`)));
  return store;
}

/**
 * Sends the marked hot statements (sql/prepared.ts) as named statements: pg parses each once per connection and then
 * only binds and executes it, and PostgreSQL keeps its plan. Kysely calls `query(text, values)`; every other call
 * (unmarked text, a config object, a callback, a cursor) goes through unchanged.
 *
 * A named statement can go stale while its connection lives: another process alters a table it reads (0A000,
 * "cached plan must not change result type", on every execution from then on), or the server forgot it (26000,
 * "prepared statement does not exist": DISCARD ALL, a pooler that changed the server connection). Then the name is
 * forgotten on this connection — deallocated on the server if it is still there — and, outside a transaction, the
 * statement is sent once more, prepared anew. Inside a transaction the failed statement has already aborted it, so
 * the error goes to the caller; until the name can be deallocated (the next use outside a transaction) the
 * statement is sent unnamed.
 */
export function useNamedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements;
  /** Names this connection must deallocate on the server before preparing them again. */
  const stale = new Set<string>();
  const idle = () => client.getTransactionStatus() === 'I';
  const forget = (name: string, onServer: boolean) => {
    if (parsed) delete parsed[name];
    if (onServer) stale.add(name);
  };
  const deallocate = async (name: string) => {
    // Names are ours (undersigned_N): safe as an identifier. Gone already (26000) is what was wanted.
    await query(`deallocate ${name}`).catch((e: { code?: string }) => {
      if (e?.code !== '26000') throw e;
    });
    stale.delete(name);
  };
  const named = async (name: string, text: string, values: unknown[]): Promise<unknown> => {
    if (stale.has(name)) {
      if (!idle()) return query(text, values);
      await deallocate(name);
    }
    return query({ name, text, values });
  };
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    const name = args.length === 2 && typeof text === 'string' && Array.isArray(values) ? preparedOnServer(text) : undefined;
    if (!name) return query(...args);
    return named(name, text as string, values as unknown[]).catch(async (e: { code?: string }) => {
      if (e?.code !== '0A000' && e?.code !== '26000') throw e;
      forget(name, e.code === '0A000');
      if (!idle()) throw e;
      return named(name, text as string, values as unknown[]);
    });
  };
}

async function migrateOrExplain(store: SqlStore, url: string, opts: PostgresStoreOptions): Promise<void> {
  try {
    await migrateLocked(store, opts.migrationLockTimeoutMs ?? 300_000);
  } catch (e) {
    await store.close().catch(() => undefined);
    const err = e as Error & { code?: string };
    const unreachable = ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', '3D000', '28P01', '28000'].includes(err.code ?? '')
      || /timeout exceeded when trying to connect|Connection terminated/i.test(err.message);
    throw new Error(
      unreachable
        ? `cannot open PostgreSQL at ${redactUrl(url)}: ${err.message || err.code}`
        : `cannot migrate PostgreSQL at ${redactUrl(url)}: ${err.message}`,
      { cause: e },
    );
  }
}

/**
 * Runs the migrator on one connection that holds a session-level advisory lock, so that of several processes
 * starting together one migrates and the others wait, then find nothing left to do. (Kysely's own migration lock
 * is taken only after it has created its bookkeeping tables, which two processes could still race.) A crashed
 * process's lock goes with its connection.
 */
async function migrateLocked(store: SqlStore, lockTimeoutMs: number): Promise<void> {
  await store.db.connection().execute(async (conn) => {
    // Waiting for the lock and long migrations must not be cut by the pool's statement_timeout.
    await sql`select set_config('statement_timeout', '0', false), set_config('lock_timeout', ${String(lockTimeoutMs)}, false)`.execute(conn);
    try {
      await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
      try {
        await store.migrate(conn);
      } finally {
        await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
      }
    } finally {
      // The connection goes back to the pool: give it the pool's settings again.
      await sql`reset statement_timeout`.execute(conn);
      await sql`reset lock_timeout`.execute(conn);
    }
  });
}
