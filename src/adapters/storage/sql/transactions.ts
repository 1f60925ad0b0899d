/**
 * A transaction of the SQL store: its repositories on one connection or transaction (`repos`), and how the store
 * runs one (`Transactions`): a Kysely transaction here; on SQLite the group commit (sqlite/group-commit.ts).
 */
import { SqlDesk } from './desk.ts';
import { toSignature } from './rows.ts';
import type { Kysely } from 'kysely';
import type { StoreTx } from '../../../core/ports.ts';
import type { Db, Dialect } from './dialect.ts';
import type { Database } from './schema.ts';
import { SqlAuth } from './auth.ts';
import { SqlLetters } from './letters.ts';
import { SqlLog } from './log.ts';
import { SqlOutbox } from './outbox.ts';
import { SqlReviews } from './reviews.ts';
import { SqlSignatures } from './signatures.ts';
import { SqlDeliveries } from './deliveries.ts';
import { SqlUpdates } from './updates.ts';

/** The repositories of one transaction (or of the store's connection, outside one). */
export function repos(db: Db, dialect: Dialect): StoreTx {
  return {
    letters: new SqlLetters(db, dialect),
    signatures: new SqlSignatures(db, dialect),
    outbox: new SqlOutbox(db, dialect),
    auth: new SqlAuth(db),
    reviews: new SqlReviews(db, dialect),
    log: new SqlLog(db, dialect),
    desk: new SqlDesk(db, toSignature),
    deliveries: new SqlDeliveries(db),
    updates: new SqlUpdates(db),
  };
}

/** How the store runs its transactions. */
export interface Transactions {
  /** Runs `fn` in one transaction: `tx` its repositories, `db` its connection (for the store's own statements). */
  run<T>(fn: (tx: StoreTx, db: Db) => Promise<T>): Promise<T>;
}

/** One Kysely transaction per call (PostgreSQL: one pooled connection each). */
export class KyselyTransactions implements Transactions {
  constructor(private readonly db: Kysely<Database>, private readonly dialect: Dialect) {}

  run<T>(fn: (tx: StoreTx, db: Db) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(repos(trx, this.dialect), trx));
  }
}
