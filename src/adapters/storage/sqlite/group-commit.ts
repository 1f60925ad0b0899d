/**
 * Group commit (SQLite): the one connection runs one transaction at a time, and a commit (writing the changed
 * pages to the WAL) costs more than the few statements of a signing. Units of work that arrive while a transaction
 * runs wait and then run together, one after another, in one BEGIN IMMEDIATE … COMMIT, each inside its own
 * SAVEPOINT: a unit that throws is rolled back to its savepoint alone (the others keep their writes) and gets its
 * error; each unit sees the committed writes of the units before it, exactly as if they had run one after another.
 * Every unit is answered only after the COMMIT (durability unchanged); if the COMMIT (or BEGIN) fails, every unit
 * of the group fails with that error and none of their writes land.
 *
 * Several processes on one file (`serve --processes N`): SQLite admits one writer at a time. better-sqlite3 waits
 * for another process's write lock inside busy_timeout, asleep with the whole event loop; so BEGIN IMMEDIATE is
 * tried with busy_timeout 0, and while another process writes the group waits on a 1 ms timer — the connection
 * free for this process's reads, new units joining the group — and tries again, for at most lockWaitMs (the
 * busy_timeout it replaces), after which the group fails with SQLITE_BUSY.
 *
 * Where the group gathers (`gatherInLock`): one process alone runs the first unit at once and lets the event loop
 * turn inside the transaction, taking in what the turn queued (the fewest commits). With other processes writing
 * the same file that turn — parsing requests, running handlers — would be spent holding the one write lock they all
 * wait for (measured: two processes signed slower than one, ~400 µs of CPU per signing against ~250), so the
 * workers of `serve --processes N` gather one turn before BEGIN and hold the lock only for the statements and the
 * COMMIT (~320 µs per signing; docs/decisions/0004).
 */
import { sql, type Kysely } from 'kysely';
import type { StoreTx } from '../../../core/ports.ts';
import type { Db } from '../sql/dialect.ts';
import type { Database } from '../sql/schema.ts';
import { repos, type Transactions } from '../sql/transactions.ts';

/**
 * The group commit's transaction statements on the SQLite connection itself (set by the SQLite opener): run
 * synchronously, prepared once, without Kysely's compiling and promise round trips — they are run per unit (the
 * savepoints) and per attempt at the lock, so their overhead would be paid thousands of times a second under load.
 * Only called while the group commit holds Kysely's one connection, so nothing else runs on it in between.
 */
export interface SqliteTxControl {
  /**
   * BEGIN IMMEDIATE at busy_timeout 0 (the connection's busy_timeout is put back after it): true when this
   * connection now holds the write lock, false at once when another connection does (any SQLITE_BUSY* code).
   * Another error is thrown, and the connection is never left in a transaction when it throws.
   */
  tryBeginImmediate(): boolean;
  exec(statement: 'savepoint' | 'release' | 'rollback to savepoint' | 'commit' | 'rollback'): void;
}

/**
 * Another connection holds the lock: SQLITE_BUSY and its extended codes (SQLITE_BUSY_RECOVERY while another
 * connection recovers the WAL, SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY_TIMEOUT) all mean "try again later".
 */
export function isSqliteBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** The connection's busy_timeout outside BEGIN IMMEDIATE (set by the SQLite opener). */
export const BUSY_TIMEOUT_MS = 5000;

/** A unit of work of the group commit (GroupCommit.commitGroups). */
type Unit = { fn: (tx: StoreTx, db: Db) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void };

/** The SQLite store's transactions (SqlStore runs every transaction through `run`). */
export class GroupCommit implements Transactions {
  /** Most units of work in one group commit (keeps the wait of reads queued behind a group short). */
  static readonly MAX_GROUP = 256;
  /** Gather more units inside the transaction (one process) or before taking the lock (several processes). */
  gatherInLock = true;
  /** Longest wait for another process's write lock before a group fails (busy_timeout's 5 s, without blocking). */
  lockWaitMs = 5000;
  /** The transaction statements on the SQLite connection itself (the opener sets it); without it, through Kysely. */
  txControl: SqliteTxControl | undefined;
  /**
   * Signals between the writers of one file (the workers of `serve --processes N`, wired in main.ts through the
   * cluster's primary): SQLite has no queue for its write lock and no way to wait for it without blocking, so a
   * waiting group polls on a 1 ms timer, and the other process — which goes on gathering and taking the lock — often
   * got it again first. `onLockBusy` tells the others this one waits (at the first SQLITE_BUSY of a wait, and again
   * after each signalled try that failed); `afterCommit` tells them a COMMIT let go of the lock; `lockReleased()`
   * (that news arriving) makes a waiting group try at once rather than at its next tick. The timer remains: a writer
   * that sends no signal (the CLI, a lost message) costs only the timer's wait.
   */
  afterCommit: (() => void) | undefined;
  onLockBusy: (() => void) | undefined;
  private wakeWaiter: ((signalled: boolean) => void) | undefined;
  private pending: Unit[] = [];
  private committing = false;

  constructor(private readonly db: Kysely<Database>) {}

  /** Queues a unit of work for the group commit; `db` is the connection it runs on (for the store's own SQL). */
  run<T>(fn: (tx: StoreTx, db: Db) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn: fn as Unit['fn'], resolve: resolve as (v: unknown) => void, reject });
      if (!this.committing) void this.commitGroups();
    });
  }

  /** Another writer committed: a group waiting for the write lock tries now. */
  lockReleased(): void {
    this.wakeWaiter?.(true);
  }

  private async commitGroups(): Promise<void> {
    this.committing = true;
    try {
      while (this.pending.length) {
        if (!this.gatherInLock) await new Promise((r) => setImmediate(r));
        const group = this.pending.splice(0, GroupCommit.MAX_GROUP);
        const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
        try {
          const waitingSince = Date.now();
          let announce = true;
          while (!(await this.db.connection().execute((conn) => this.runGroup(conn, group, results)))) {
            if (Date.now() - waitingSince >= this.lockWaitMs) {
              throw Object.assign(new Error(`database is locked: another process held the write lock for more than ${this.lockWaitMs} ms`), { code: 'SQLITE_BUSY' });
            }
            if (announce) this.onLockBusy?.();
            // Until the lock's holder says it committed (lockReleased), or the next timer tick at the latest.
            announce = await new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => this.wakeWaiter?.(false), 1);
              this.wakeWaiter = (signalled) => {
                clearTimeout(timer);
                this.wakeWaiter = undefined;
                resolve(signalled);
              };
            });
            if (group.length < GroupCommit.MAX_GROUP) group.push(...this.pending.splice(0, GroupCommit.MAX_GROUP - group.length));
          }
        } catch (e) {
          // Nothing of the group landed: the units that had succeeded fail with the group's error.
          group.forEach((unit, i) => {
            const r = results[i];
            unit.reject(r && !r.ok ? r.error : e);
          });
          continue;
        }
        group.forEach((unit, i) => {
          const r = results[i]!;
          if (r.ok) unit.resolve(r.value);
          else unit.reject(r.error);
        });
      }
    } finally {
      this.committing = false;
    }
  }

  /** One try at the group: false (nothing run) when another process holds the write lock. */
  private async runGroup(conn: Kysely<Database>, group: Unit[], results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[]): Promise<boolean> {
    // IMMEDIATE: take the write lock up front, so that no unit can meet SQLITE_BUSY_SNAPSHOT half-way through the
    // group. busy_timeout 0 for this statement alone: the other statements of the connection keep their wait.
    const raw = this.txControl;
    if (raw) {
      if (!raw.tryBeginImmediate()) return false;
    } else {
      await sql`pragma busy_timeout = 0`.execute(conn);
      let began = false;
      try {
        await sql`begin immediate`.execute(conn);
        began = true;
      } catch (e) {
        if (!isSqliteBusy(e)) {
          await sql`pragma busy_timeout = ${sql.lit(BUSY_TIMEOUT_MS)}`.execute(conn).catch(() => undefined);
          throw e;
        }
      }
      try {
        await sql`pragma busy_timeout = ${sql.lit(BUSY_TIMEOUT_MS)}`.execute(conn);
      } catch (e) {
        // Never leave the connection inside a transaction the group will not run: let go of the lock, then fail.
        if (began) await sql`rollback`.execute(conn).catch(() => undefined);
        throw e;
      }
      if (!began) return false;
    }
    const exec = raw
      ? (s: Parameters<SqliteTxControl['exec']>[0]) => raw.exec(s)
      : async (s: Parameters<SqliteTxControl['exec']>[0]) => {
          await sql.raw(s === 'savepoint' ? 'savepoint unit' : s === 'release' ? 'release unit' : s === 'rollback to savepoint' ? 'rollback to unit' : s).execute(conn);
        };
    try {
      const tx = repos(conn, 'sqlite');
      for (let i = 0; ; i++) {
        if (i === group.length) {
          // better-sqlite3 answers synchronously, so a unit runs to its end without letting the event loop
          // read new requests: let it read them once (one turn), and take in what they queued.
          if (group.length >= GroupCommit.MAX_GROUP || !this.gatherInLock) break;
          await new Promise((r) => setImmediate(r));
          if (!this.pending.length) break;
          group.push(...this.pending.splice(0, GroupCommit.MAX_GROUP - group.length));
        }
        const unit = group[i]!;
        await exec('savepoint');
        try {
          const value = await unit.fn(tx, conn);
          await exec('release');
          results.push({ ok: true, value });
        } catch (error) {
          await exec('rollback to savepoint');
          await exec('release');
          results.push({ ok: false, error });
        }
      }
      await exec('commit');
      this.afterCommit?.();
      return true;
    } catch (e) {
      try {
        await exec('rollback');
      } catch {
        // no transaction left to roll back (a failed COMMIT may have ended it)
      }
      throw e;
    }
  }
}
