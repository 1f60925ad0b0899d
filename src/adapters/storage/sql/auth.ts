/** Organiser sign-in: single-use login tokens and sessions (AuthRepo). */
import type { AuthRepo, StoreTx } from '../../../core/ports.ts';
import type { LoginToken, Session } from '../../../core/model.ts';
import type { Db } from './dialect.ts';
import { n, u } from './rows.ts';

export class SqlAuth implements AuthRepo {
  constructor(private readonly db: Db) {}
  async insertLoginToken(t: LoginToken): Promise<void> {
    await this.db
      .insertInto('login_tokens')
      .values({ token_hash: t.tokenHash, email: t.email, expires_at: t.expiresAt, used_at: n(t.usedAt), created_at: t.createdAt })
      .execute();
  }
  async loginToken(tokenHash: string): Promise<LoginToken | undefined> {
    const r = await this.db.selectFrom('login_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r && { tokenHash: r.token_hash, email: r.email, expiresAt: r.expires_at, usedAt: u(r.used_at), createdAt: r.created_at };
  }
  async markLoginTokenUsed(tokenHash: string, usedAt: string): Promise<boolean> {
    // Conditional update: of two concurrent uses of one link, only one wins.
    const r = await this.db
      .updateTable('login_tokens')
      .set({ used_at: usedAt })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
  async insertSession(s: Session): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ id_hash: s.idHash, email: s.email, expires_at: s.expiresAt, created_at: s.createdAt })
      .execute();
  }
  async session(idHash: string): Promise<Session | undefined> {
    const r = await this.db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return r && { idHash: r.id_hash, email: r.email, expiresAt: r.expires_at, createdAt: r.created_at };
  }
  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }
}

/**
 * The sign-in and session writes as the store (outside a transaction) offers them: on SQLite each is a unit of the
 * group commit, like the outbox worker's writes (SqlWorkerOutbox): an autocommit statement would wait for another
 * process's write lock inside busy_timeout — up to 5 s with the whole event loop asleep. Signing out
 * (organiser-login.ts) deletes its session this way; the other writes run in the use-cases' transactions already.
 */
export class SqlGroupAuth extends SqlAuth {
  constructor(db: Db, private readonly inTransaction: <T>(fn: (tx: StoreTx) => Promise<T>) => Promise<T>) {
    super(db);
  }
  override insertLoginToken(t: LoginToken): Promise<void> {
    return this.inTransaction((tx) => tx.auth.insertLoginToken(t));
  }
  override markLoginTokenUsed(tokenHash: string, usedAt: string): Promise<boolean> {
    return this.inTransaction((tx) => tx.auth.markLoginTokenUsed(tokenHash, usedAt));
  }
  override insertSession(s: Session): Promise<void> {
    return this.inTransaction((tx) => tx.auth.insertSession(s));
  }
  override deleteSession(idHash: string): Promise<void> {
    return this.inTransaction((tx) => tx.auth.deleteSession(idHash));
  }
}
