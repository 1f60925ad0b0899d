/**
 * The mail outbox (OutboxRepo): jobs queued inside the use-cases' transactions, claimed, completed and retried by the
 * mail worker. Dialect difference: the claim's row lock (PostgreSQL: FOR UPDATE SKIP LOCKED, so several worker
 * processes never claim the same job).
 */
import { sql, type Selectable } from 'kysely';
import type { OutboxRepo, OutboxStats, StoreTx } from '../../../core/ports.ts';
import type { OutboxJob, UndeliverableAddress } from '../../../core/model.ts';
import { failOutboxJob, outboxStats, undeliverableAddresses } from './mail-failures.ts';
import type { Db, Dialect } from './dialect.ts';
import type { OutboxTable } from './schema.ts';
import { Prepared } from './prepared.ts';
import { chunks, n, toJob } from './rows.ts';

const OUTBOX_ENQUEUE = new Prepared<Omit<OutboxTable, 'failed_at'>>((db, p) => db.insertInto('outbox').values(p).onConflict((oc) => oc.column('id').doNothing()));

export class SqlOutbox implements OutboxRepo {
  constructor(private readonly db: Db, private readonly dialect: Dialect) {}

  async enqueue(job: OutboxJob): Promise<void> {
    await OUTBOX_ENQUEUE.execute(this.db, this.dialect, {
        id: job.id,
        kind: job.kind,
        payload: JSON.stringify(job.payload),
        run_at: job.runAt,
        attempts: job.attempts,
        locked_until: n(job.lockedUntil),
        done_at: n(job.doneAt),
        last_error: n(job.lastError),
        created_at: job.createdAt,
      });
  }

  async claim(now: string, lockedUntil: string, limit: number): Promise<OutboxJob[]> {
    const lock = this.dialect === 'postgres' ? sql` FOR UPDATE SKIP LOCKED` : sql``;
    const due = sql`SELECT id FROM outbox WHERE done_at IS NULL AND run_at <= ${now}
      AND (locked_until IS NULL OR locked_until < ${now}) ORDER BY run_at LIMIT ${limit}${lock}`;
    const r = await sql<Selectable<OutboxTable>>`UPDATE outbox SET locked_until = ${lockedUntil}, attempts = attempts + 1
      WHERE id IN (${due}) RETURNING *`.execute(this.db);
    return r.rows.map(toJob).sort((a, b) => (a.runAt < b.runAt ? -1 : a.runAt > b.runAt ? 1 : 0));
  }

  async complete(id: string, doneAt: string): Promise<void> {
    await this.completeAll([{ id, doneAt }]);
  }

  /**
   * Marks several jobs done, each with its own time, in one statement per 300 jobs. A sent mail's payload is cut down
   * to what is still needed — the address (erasure finds a person's rows by it: log.ts forgetSigner), the language and
   * the template's label — so that no link or token (the withdrawal link is a long-lived credential), subject or text
   * stays in the table once it went out. The payload is JSON text in both dialects.
   */
  async completeAll(jobs: readonly { id: string; doneAt: string }[]): Promise<void> {
    const sent = this.dialect === 'postgres'
      ? sql`json_build_object('to', payload::json->>'to', 'lang', payload::json->>'lang', 'template', payload::json->>'template')::text`
      : sql`json_object('to', json_extract(payload, '$.to'), 'lang', json_extract(payload, '$.lang'), 'template', json_extract(payload, '$.template'))`;
    for (const chunk of chunks([...jobs], 300)) {
      const doneAt = chunk.every((j) => j.doneAt === chunk[0]!.doneAt)
        ? sql`${chunk[0]!.doneAt}`
        : sql`case id ${sql.join(chunk.map((j) => sql`when ${j.id} then ${j.doneAt}`), sql` `)} end`;
      await sql`update outbox set done_at = ${doneAt}, locked_until = null, last_error = null, payload = ${sent}
        where id in (${sql.join(chunk.map((j) => j.id))})`.execute(this.db);
    }
  }

  async retryLater(id: string, runAt: string, error: string): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set({ run_at: runAt, locked_until: null, last_error: error.slice(0, 1000) })
      .where('id', '=', id)
      .execute();
  }

  async fail(id: string, at: string, error: string): Promise<void> {
    await failOutboxJob(this.db, this.dialect, id, at, error);
  }

  async stats(now: string): Promise<OutboxStats> {
    return outboxStats(this.db, now);
  }

  async undeliverable(emails: readonly string[]): Promise<UndeliverableAddress[]> {
    return undeliverableAddresses(this.db, emails);
  }

  async list(opts: { pendingOnly?: boolean; limit?: number } = {}): Promise<OutboxJob[]> {
    let q = this.db.selectFrom('outbox').selectAll();
    if (opts.pendingOnly) q = q.where('done_at', 'is', null);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(opts.limit ?? 100).execute();
    return rows.map(toJob);
  }
}

/**
 * The outbox as the store (outside a transaction) offers it to the mail worker, which completes each job on its own
 * after sending it: the completions of one moment are written by one statement, and on SQLite the worker's claims,
 * completions and retries are units of the group commit (alone, each would be a write transaction of its own, about
 * one commit per mail besides the signing's, and would wait for another process's write lock in busy_timeout, the
 * event loop asleep). A completion is answered after its statement committed.
 */
export class SqlWorkerOutbox extends SqlOutbox {
  private done: { id: string; doneAt: string; resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(db: Db, private readonly dialect_: Dialect, private readonly inTransaction: <T>(fn: (tx: StoreTx) => Promise<T>) => Promise<T>) {
    super(db, dialect_);
  }

  override async claim(now: string, lockedUntil: string, limit: number): Promise<OutboxJob[]> {
    if (this.dialect_ !== 'sqlite') return super.claim(now, lockedUntil, limit);
    return this.inTransaction((tx) => tx.outbox.claim(now, lockedUntil, limit));
  }

  /** SQLite: a unit of the group commit too (alone it would wait for another process's write lock in busy_timeout, the event loop asleep). */
  override retryLater(id: string, runAt: string, error: string): Promise<void> {
    if (this.dialect_ !== 'sqlite') return super.retryLater(id, runAt, error);
    return this.inTransaction((tx) => tx.outbox.retryLater(id, runAt, error));
  }

  /** SQLite: as retryLater (the use-cases enqueue inside their transactions; this is for a caller without one). */
  override enqueue(job: OutboxJob): Promise<void> {
    if (this.dialect_ !== 'sqlite') return super.enqueue(job);
    return this.inTransaction((tx) => tx.outbox.enqueue(job));
  }

  /** SQLite: as retryLater. */
  override fail(id: string, at: string, error: string): Promise<void> {
    if (this.dialect_ !== 'sqlite') return super.fail(id, at, error);
    return this.inTransaction((tx) => tx.outbox.fail(id, at, error));
  }

  override complete(id: string, doneAt: string): Promise<void> {
    return new Promise((resolve, reject) => {
      // Completions that come in the same event-loop turn (the worker sends a batch at once) go together.
      if (this.done.push({ id, doneAt, resolve, reject }) === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.done.splice(0);
    try {
      if (this.dialect_ === 'sqlite') await this.inTransaction((tx) => (tx.outbox as SqlOutbox).completeAll(batch));
      else await this.completeAll(batch);
      for (const b of batch) b.resolve();
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }
}
