/**
 * The storage port on SQL, through Kysely: one implementation for SQLite and PostgreSQL (why:
 * docs/decisions/0001-one-sql-store-two-dialects.md). This file assembles the repositories (one file each:
 * letters, signatures, outbox, auth, reviews, log) and runs transactions through a `Transactions` strategy: a Kysely
 * transaction, or on SQLite the group commit (sqlite/group-commit.ts). Below them: dialect.ts, schema.ts, rows.ts,
 * prepared.ts and migrations/.
 *
 * PostgreSQL runs transactions at READ COMMITTED and several processes write at once: never read-then-write to
 * decide (a check followed by an insert or update); let a unique index or a conditional UPDATE decide, as
 * signatures.insert and auth.markLoginTokenUsed do.
 */
import { Migrator, type Kysely } from 'kysely';
import type {
  AuthRepo, FirstSignature, LetterRepo, OutboxRepo, ReviewRepo, SignatureRepo, Store, StoreTx,
} from '../../../core/ports.ts';
import type { LogRepo } from '../../../core/log-ports.ts';
import type { DeliveryRepo, UpdateRepo } from '../../../core/ports.ts';
import { insertFirstSignatureSteps } from '../first-signature.ts';
import type { Dialect } from './dialect.ts';
import type { Database } from './schema.ts';
import { signatureRow } from './rows.ts';
import { StaticMigrations } from './migrations/index.ts';
import { SqlGroupAuth } from './auth.ts';
import { SqlWorkerOutbox } from './outbox.ts';
import { Folder, foldDeltas } from './counts.ts';
import { PgFirstSignatures } from './first-signatures.ts';
import { KyselyTransactions, repos, type Transactions } from './transactions.ts';
import { SqlDesk } from './desk.ts';
import { toSignature } from './rows.ts';

export class SqlStore implements Store {
  readonly letters: LetterRepo;
  readonly signatures: SignatureRepo;
  readonly outbox: OutboxRepo;
  readonly auth: AuthRepo;
  readonly reviews: ReviewRepo;
  readonly log: LogRepo;
  readonly desk: SqlDesk;
  readonly deliveries: DeliveryRepo;
  readonly updates: UpdateRepo;

  /** PostgreSQL: the signings of one moment in one statement (first-signatures.ts). */
  private firstSignatures: PgFirstSignatures | undefined;
  private readonly folder = new Folder(() => this.foldCounts());
  private closers: (() => Promise<void>)[] = [];

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    private readonly transactions: Transactions = new KyselyTransactions(db, dialect),
  ) {
    const r = repos(db, dialect);
    this.desk = new SqlDesk(db, toSignature);
    this.log = r.log;
    this.deliveries = r.deliveries;
    this.updates = r.updates;
    this.reviews = r.reviews;
    this.letters = r.letters;
    this.signatures = r.signatures;
    this.outbox = new SqlWorkerOutbox(db, dialect, (fn) => this.transaction(fn));
    this.auth = dialect === 'sqlite' ? new SqlGroupAuth(db, (fn) => this.transaction(fn)) : r.auth;
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.transactions.run(fn);
  }

  async insertFirstSignature(first: FirstSignature): Promise<boolean> {
    if (this.dialect === 'postgres') return (this.firstSignatures ??= new PgFirstSignatures(this.db, signatureRow)).insert(first);
    // SQLite: the same steps as a unit of the group commit (statements are cheap here; the commit is what is shared).
    return this.transaction((tx) => insertFirstSignatureSteps(tx, first));
  }

  /**
   * Folds up to `limit` count deltas in one transaction (counts.ts). SQLite: a unit of the group commit, which takes
   * the write lock without blocking the event loop (a plain transaction would wait for another process's writer in
   * busy_timeout, the whole process asleep).
   */
  foldCounts(limit = 20_000): Promise<number> {
    return this.transactions.run((_tx, db) => foldDeltas(db, this.dialect, limit));
  }

  /** Folds in the background every `intervalMs` until close (counts.ts Folder); 0 disables it. */
  startFolding(intervalMs = 1000, onError: (e: Error) => void = (e) => console.error(`undersigned: folding counts failed: ${e.message}`)): void {
    this.folder.start(intervalMs, onError);
  }

  /** Brings the schema up to date. `on` lets the PostgreSQL opener run it on the one connection that holds its lock. */
  async migrate(on: Kysely<Database> = this.db): Promise<void> {
    // Unordered: migrations numbered below one already run (work merged in another order) still run.
    const migrator = new Migrator({ db: on, provider: new StaticMigrations(this.dialect), allowUnorderedMigrations: true });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Runs `fn` when the store closes, before its connection does (the SQLite opener's checkpointer thread). */
  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    for (const fn of this.closers.splice(0)) await fn().catch(() => undefined);
    await this.folder.stop();
    await this.db.destroy();
  }
}
