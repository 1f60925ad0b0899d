/**
 * The storage port on SQL, through Kysely: one implementation for SQLite and PostgreSQL. The only dialect
 * differences are the row lock in the outbox claim (PostgreSQL: FOR UPDATE SKIP LOCKED, so several worker
 * processes never claim the same job), integer results that pg returns as strings (count(*) is bigint: always
 * Number(...)), and the "C" collation of PostgreSQL text columns (migrations.ts). Why and the rest:
 * docs/decisions/0001-one-sql-store-two-dialects.md.
 *
 * PostgreSQL runs transactions at READ COMMITTED and several processes write at once: never read-then-write to
 * decide (a check followed by an insert or update); let a unique index or a conditional UPDATE decide, as
 * signatures.insert and auth.markLoginTokenUsed do.
 */
import { Migrator, sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AuthRepo, FirstSignature, LetterListFilter, LetterRepo, LetterStateRow, LetterStats, OutboxRepo, PublicChange, SignatureRepo, Store, StoreTx, ReviewRepo } from '../../../core/ports.ts';
import type {
  Letter, LetterState, LetterVersion, LetterWithText, LoginToken, OutboxJob, PublicSignature, Session, Signature,
} from '../../../core/model.ts';
import type { Database, LettersTable, OutboxTable, SignaturesTable } from './schema.ts';
import { SqlReviews } from './reviews.ts';
import { SqlDesk } from './desk.ts';
import { SqlLog } from './log.ts';
import type { LogRepo } from '../../../core/log-ports.ts';
import { StaticMigrations, type Dialect } from './migrations.ts';
import { Prepared } from './prepared.ts';
import { PgFirstSignatures, SIGNATURE_COLUMNS } from './first-signatures.ts';
import { insertFirstSignatureSteps } from '../first-signature.ts';

type Db = Kysely<Database> | Transaction<Database>;

const u = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
const n = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

// SIGNATURE_COLUMNS (the prepared selects below) names every column of a signature row: a column added to the table
// and not to the list fails to compile here instead of being read as undefined.
const allSignatureColumns: Exclude<keyof SignaturesTable, (typeof SIGNATURE_COLUMNS)[number]> extends never ? true : never = true;
void allSignatureColumns;

function toLetter(row: Selectable<LettersTable>, organisers: string[]): Letter {
  return {
    id: row.id,
    slug: row.slug,
    addressee: { name: row.addressee_name, title: u(row.addressee_title) },
    defaultLang: row.default_lang,
    goal: row.goal === null ? undefined : Number(row.goal),
    state: row.state as Letter['state'],
    textVersion: Number(row.text_version),
    organisers,
    imported: Number(row.imported) === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    openedAt: u(row.opened_at),
    closedAt: u(row.closed_at),
  };
}

function letterRow(l: Letter): LettersTable {
  return {
    id: l.id,
    slug: l.slug,
    addressee_name: l.addressee.name,
    addressee_title: n(l.addressee.title),
    default_lang: l.defaultLang,
    goal: n(l.goal),
    state: l.state,
    text_version: l.textVersion,
    imported: l.imported ? 1 : 0,
    created_at: l.createdAt,
    updated_at: l.updatedAt,
    opened_at: n(l.openedAt),
    closed_at: n(l.closedAt),
  };
}

export function toSignature(r: Selectable<SignaturesTable>): Signature {
  return {
    id: r.id,
    letterId: r.letter_id,
    email: r.email,
    emailKey: r.email_key,
    name: r.name,
    nameAlt: u(r.name_alt),
    title: u(r.title),
    country: u(r.country),
    visibility: r.visibility as Signature['visibility'],
    lang: r.lang,
    consentUpdates: Number(r.consent_updates) === 1,
    status: r.status as Signature['status'],
    textVersion: Number(r.text_version),
    tokenHash: u(r.token_hash),
    tokenExpiresAt: u(r.token_expires_at),
    mailsSent: Number(r.mails_sent),
    imported: Number(r.imported) === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    confirmedAt: u(r.confirmed_at),
    withdrawnAt: u(r.withdrawn_at),
  };
}

function signatureRow(s: Signature): SignaturesTable {
  return {
    id: s.id,
    letter_id: s.letterId,
    email: s.email,
    email_key: s.emailKey,
    name: s.name,
    name_alt: n(s.nameAlt),
    title: n(s.title),
    country: n(s.country),
    visibility: s.visibility,
    lang: s.lang,
    consent_updates: s.consentUpdates ? 1 : 0,
    status: s.status,
    text_version: s.textVersion,
    token_hash: n(s.tokenHash),
    token_expires_at: n(s.tokenExpiresAt),
    mails_sent: s.mailsSent,
    imported: s.imported ? 1 : 0,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    confirmed_at: n(s.confirmedAt),
    withdrawn_at: n(s.withdrawnAt),
  };
}

function toJob(r: Selectable<OutboxTable>): OutboxJob {
  return {
    id: r.id,
    kind: r.kind as OutboxJob['kind'],
    payload: JSON.parse(r.payload),
    runAt: r.run_at,
    attempts: Number(r.attempts),
    lockedUntil: u(r.locked_until),
    doneAt: u(r.done_at),
    lastError: u(r.last_error),
    createdAt: r.created_at,
  };
}

// The statements of signing and confirming, compiled once (prepared.ts).
const LETTER_STATE = new Prepared<{ id: string }>((db, p) => db.selectFrom('letters').select(['state', 'text_version', 'updated_at']).where('id', '=', p.id));
const SIGNATURE_INSERT = new Prepared<SignaturesTable>((db, p) => db.insertInto('signatures').values(p).onConflict((oc) => oc.columns(['letter_id', 'email_key']).doNothing()));
const SIGNATURE_UPDATE = new Prepared<SignaturesTable>((db, { id, ...rest }) => db.updateTable('signatures').set(rest).where('id', '=', id));
const SIGNATURE_UPDATE_IF = new Prepared<SignaturesTable & { read_status: string; read_mails_sent: number; read_updated_at: string }>(
  (db, { id, read_status, read_mails_sent, read_updated_at, ...rest }) =>
    db.updateTable('signatures').set(rest).where('id', '=', id).where('status', '=', read_status).where('mails_sent', '=', read_mails_sent).where('updated_at', '=', read_updated_at),
);
// Named columns, never `select *`: on PostgreSQL these are named statements, and a prepared `select *` fails with
// 0A000 ("cached plan must not change result type") on every execution after another process adds a column
// (a rolling deploy's migration) until its connection closes.
const SIGNATURE_BY_EMAIL = new Prepared<{ letter_id: string; email_key: string }>((db, p) =>
  db.selectFrom('signatures').select(SIGNATURE_COLUMNS).where('letter_id', '=', p.letter_id).where('email_key', '=', p.email_key));
const SIGNATURE_BY_TOKEN = new Prepared<{ token_hash: string }>((db, p) => db.selectFrom('signatures').select(SIGNATURE_COLUMNS).where('token_hash', '=', p.token_hash));
const OUTBOX_ENQUEUE = new Prepared<OutboxTable>((db, p) => db.insertInto('outbox').values(p).onConflict((oc) => oc.column('id').doNothing()));

class SqlLetters implements LetterRepo {
  constructor(private readonly db: Db, private readonly dialect: Dialect) {}

  async insert(letter: Letter, versions: LetterVersion[]): Promise<void> {
    await this.db.insertInto('letters').values(letterRow(letter)).execute();
    await this.putVersions(letter.id, letter.textVersion, versions);
    if (letter.organisers.length) {
      await this.db
        .insertInto('letter_organisers')
        .values(letter.organisers.map((email) => ({ letter_id: letter.id, email })))
        .execute();
    }
  }

  async updateIfUnchanged(letter: Letter, read: Pick<Letter, 'state' | 'textVersion' | 'updatedAt'>): Promise<boolean> {
    const { id, ...rest } = letterRow(letter);
    const r = await this.db.updateTable('letters').set(rest).where('id', '=', id).where('state', '=', read.state)
      .where('text_version', '=', read.textVersion).where('updated_at', '=', read.updatedAt).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await this.putOrganisers(letter);
    return true;
  }

  private async putOrganisers(letter: Letter): Promise<void> {
    await this.db.deleteFrom('letter_organisers').where('letter_id', '=', letter.id).execute();
    if (letter.organisers.length) {
      await this.db
        .insertInto('letter_organisers')
        .values(letter.organisers.map((email) => ({ letter_id: letter.id, email })))
        .execute();
    }
  }

  async update(letter: Letter): Promise<void> {
    const { id, ...rest } = letterRow(letter);
    await this.db.updateTable('letters').set(rest).where('id', '=', id).execute();
    await this.db.deleteFrom('letter_organisers').where('letter_id', '=', id).execute();
    if (letter.organisers.length) {
      await this.db
        .insertInto('letter_organisers')
        .values(letter.organisers.map((email) => ({ letter_id: id, email })))
        .execute();
    }
  }

  async putVersions(letterId: string, textVersion: number, versions: LetterVersion[]): Promise<void> {
    await this.db
      .deleteFrom('letter_texts')
      .where('letter_id', '=', letterId)
      .where('text_version', '=', textVersion)
      .execute();
    if (!versions.length) return;
    await this.db
      .insertInto('letter_texts')
      .values(
        versions.map((v, i) => ({
          letter_id: letterId,
          text_version: textVersion,
          lang: v.lang,
          position: i,
          title: v.title,
          body: v.body,
          statement: n(v.statement),
          addressee_name: v.addressee?.name ?? null,
          addressee_title: v.addressee?.title ?? null,
        })),
      )
      .execute();
  }

  private async withText(row: Selectable<LettersTable> | undefined): Promise<LetterWithText | undefined> {
    if (!row) return undefined;
    const [texts, orgs] = await Promise.all([
      this.db
        .selectFrom('letter_texts')
        .selectAll()
        .where('letter_id', '=', row.id)
        .where('text_version', '=', row.text_version)
        .orderBy('position')
        .execute(),
      this.db.selectFrom('letter_organisers').select('email').where('letter_id', '=', row.id).orderBy('email').execute(),
    ]);
    return {
      ...toLetter(row, orgs.map((o) => o.email)),
      versions: texts.map((t) => ({
        lang: t.lang,
        title: t.title,
        body: t.body,
        statement: u(t.statement),
        addressee: t.addressee_name === null ? undefined : { name: t.addressee_name, title: u(t.addressee_title) },
      })),
    };
  }

  async bySlug(slug: string): Promise<LetterWithText | undefined> {
    return this.withText(await this.db.selectFrom('letters').selectAll().where('slug', '=', slug).executeTakeFirst());
  }

  async byId(id: string): Promise<LetterWithText | undefined> {
    return this.withText(await this.db.selectFrom('letters').selectAll().where('id', '=', id).executeTakeFirst());
  }

  async stateOf(id: string): Promise<LetterStateRow | undefined> {
    const r = (await LETTER_STATE.execute<Pick<LettersTable, 'state' | 'text_version' | 'updated_at'>>(this.db, this.dialect, { id })).rows[0];
    return r && { state: r.state as LetterState, textVersion: Number(r.text_version), updatedAt: r.updated_at };
  }

  async list(filter: LetterListFilter = {}): Promise<Letter[]> {
    let q = this.db.selectFrom('letters').selectAll('letters');
    if (filter.state) q = q.where('letters.state', '=', filter.state);
    if (filter.organiser) {
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('letter_organisers')
            .select('letter_organisers.email')
            .whereRef('letter_organisers.letter_id', '=', 'letters.id')
            .where('letter_organisers.email', '=', filter.organiser!),
        ),
      );
    }
    const rows = await q.orderBy('letters.created_at', 'desc').orderBy('letters.id').execute();
    if (!rows.length) return [];
    const orgs = await this.db
      .selectFrom('letter_organisers')
      .selectAll()
      .where('letter_id', 'in', rows.map((r) => r.id))
      .orderBy('email')
      .execute();
    return rows.map((r) => toLetter(r, orgs.filter((o) => o.letter_id === r.id).map((o) => o.email)));
  }
}

class SqlSignatures implements SignatureRepo {
  constructor(private readonly db: Db, private readonly dialect: Dialect) {}

  async insert(sig: Signature): Promise<boolean> {
    const r = await SIGNATURE_INSERT.execute(this.db, this.dialect, signatureRow(sig));
    return Number(r.numAffectedRows ?? 0n) === 1;
  }

  async update(sig: Signature): Promise<void> {
    await SIGNATURE_UPDATE.execute(this.db, this.dialect, signatureRow(sig));
  }

  async updateIfUnchanged(sig: Signature, read: Signature): Promise<boolean> {
    const r = await SIGNATURE_UPDATE_IF.execute(this.db, this.dialect, { ...signatureRow(sig), read_status: read.status, read_mails_sent: read.mailsSent, read_updated_at: read.updatedAt });
    return Number(r.numAffectedRows ?? 0n) === 1;
  }

  async byEmail(letterId: string, emailKey: string): Promise<Signature | undefined> {
    const r = (await SIGNATURE_BY_EMAIL.execute<Selectable<SignaturesTable>>(this.db, this.dialect, { letter_id: letterId, email_key: emailKey })).rows[0];
    return r && toSignature(r);
  }

  async byTokenHash(tokenHash: string): Promise<Signature | undefined> {
    const r = (await SIGNATURE_BY_TOKEN.execute<Selectable<SignaturesTable>>(this.db, this.dialect, { token_hash: tokenHash })).rows[0];
    return r && toSignature(r);
  }

  async byId(id: string): Promise<Signature | undefined> {
    const r = await this.db.selectFrom('signatures').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toSignature(r);
  }

  /**
   * The folded aggregate plus the deltas not yet folded, in one statement: one snapshot on PostgreSQL, so a fold
   * committing meanwhile is seen entirely or not at all. No COUNT(*) over the letter's signatures.
   */
  async countConfirmed(letterId: string): Promise<number> {
    const r = await sql<{ n: string | number | null }>`select
      coalesce((select n from letter_counts where letter_id = ${letterId}), 0)
      + coalesce((select sum(delta) from count_deltas where letter_id = ${letterId}), 0) as n`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0);
  }

  async stats(letterId: string): Promise<LetterStats> {
    const [totals, countries, hours] = await Promise.all([
      sql<{ n: string | number | null; p: string | number | null }>`select
        coalesce((select n from letter_counts where letter_id = ${letterId}), 0)
          + coalesce((select sum(delta) from count_deltas where letter_id = ${letterId}), 0) as n,
        coalesce((select n_public from letter_counts where letter_id = ${letterId}), 0)
          + coalesce((select sum(delta * public) from count_deltas where letter_id = ${letterId}), 0) as p`.execute(this.db),
      sql<{ k: string; n: string | number }>`select k, sum(n) as n from (
          select country as k, n from letter_country_counts where letter_id = ${letterId}
          union all select country as k, delta as n from count_deltas where letter_id = ${letterId}) t
        group by k`.execute(this.db),
      sql<{ k: string; n: string | number }>`select k, sum(n) as n from (
          select hour as k, n from letter_hourly_counts where letter_id = ${letterId}
          union all select hour as k, delta as n from count_deltas where letter_id = ${letterId}) t
        group by k`.execute(this.db),
    ]);
    const byCountry: Record<string, number> = {};
    for (const r of countries.rows) if (Number(r.n) !== 0) byCountry[r.k] = Number(r.n);
    const hourly = hours.rows
      .filter((r) => r.k !== '' && Number(r.n) !== 0)
      .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
      .map((r) => ({ hour: `${r.k}:00:00Z`, count: Number(r.n) }));
    return { count: Number(totals.rows[0]?.n ?? 0), publicCount: Number(totals.rows[0]?.p ?? 0), byCountry, hourly };
  }

  async changes(letterId: string, opts: { since?: string | undefined; after?: { updatedAt: string; id: string } | undefined; limit: number }): Promise<PublicChange[]> {
    let q = this.db
      .selectFrom('signatures')
      .select(['id', 'name', 'name_alt', 'title', 'country', 'confirmed_at', 'status', 'visibility', 'updated_at'])
      .where('letter_id', '=', letterId);
    if (opts.since !== undefined) q = q.where('updated_at', '>=', opts.since);
    const after = opts.after;
    if (after) {
      // A row-value comparison, so that both databases seek in the (letter_id, updated_at, id) index instead of
      // scanning from the start for every batch (an OR of two conditions made a full rebuild quadratic).
      q = q.where((eb) => eb(eb.refTuple('updated_at', 'id'), '>', eb.tuple(after.updatedAt, after.id)));
    }
    const rows = await q.orderBy('updated_at').orderBy('id').limit(opts.limit).execute();
    return rows.map((r) => ({
      sig: { id: r.id, name: r.name, nameAlt: u(r.name_alt), title: u(r.title), country: u(r.country), confirmedAt: r.confirmed_at ?? '' },
      listed: r.status === 'confirmed' && r.visibility === 'public',
      updatedAt: r.updated_at,
    }));
  }

  async listPublic(letterId: string): Promise<PublicSignature[]> {
    const rows = await this.db
      .selectFrom('signatures')
      .select(['id', 'name', 'name_alt', 'title', 'country', 'confirmed_at'])
      .where('letter_id', '=', letterId)
      .where('status', '=', 'confirmed')
      .where('visibility', '=', 'public')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      nameAlt: u(r.name_alt),
      title: u(r.title),
      country: u(r.country),
      confirmedAt: r.confirmed_at ?? '',
    }));
  }
}

class SqlOutbox implements OutboxRepo {
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
 * completions and retries join the group commit instead of committing alone (each was its own write transaction: about
 * one commit per mail besides the signing's; and alone it waited for another process's write lock in busy_timeout,
 * the event loop asleep). A completion is answered after its statement committed, as before.
 */
class SqlWorkerOutbox extends SqlOutbox {
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

class SqlAuth implements AuthRepo {
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
 * group commit, like the outbox worker's writes (SqlWorkerOutbox), instead of an autocommit statement that would wait
 * for another process's write lock inside busy_timeout — up to 5 s with the whole event loop asleep. Signing out
 * (organiser-login.ts) deletes its session this way; the other writes run in the use-cases' transactions already.
 */
class SqlGroupAuth extends SqlAuth {
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

/**
 * The group commit's transaction statements on the SQLite connection itself (set by the SQLite opener): run
 * synchronously, prepared once, without Kysely's compiling and promise round trips — they are run per unit (the
 * savepoints) and per attempt at the lock, so their overhead was paid thousands of times a second under load.
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

/** A unit of work of the SQLite group commit (SqlStore.commitGroups). */
type Unit = { fn: (tx: StoreTx, db: Db) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void };

/** Key of the transaction-level advisory lock held while folding counts (PostgreSQL). */
export const FOLD_LOCK_KEY = 7_268_417_310_004_322n;

function chunks<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

function repos(db: Db, dialect: Dialect): StoreTx {
  return {
    letters: new SqlLetters(db, dialect),
    signatures: new SqlSignatures(db, dialect),
    outbox: new SqlOutbox(db, dialect),
    auth: new SqlAuth(db),
    reviews: new SqlReviews(db, dialect),
    log: new SqlLog(db, dialect),
    desk: new SqlDesk(db, toSignature),
  };
}

export class SqlStore implements Store {
  readonly letters: LetterRepo;
  readonly signatures: SignatureRepo;
  readonly outbox: OutboxRepo;
  readonly auth: AuthRepo;
  readonly reviews: ReviewRepo;
  readonly log: LogRepo;
  readonly desk: SqlDesk;

  constructor(readonly db: Kysely<Database>, readonly dialect: Dialect) {
    const r = repos(db, dialect);
    this.desk = new SqlDesk(db, toSignature);
    this.log = r.log;
    this.reviews = r.reviews;
    this.letters = r.letters;
    this.signatures = r.signatures;
    this.outbox = new SqlWorkerOutbox(db, dialect, (fn) => this.transaction(fn));
    this.auth = dialect === 'sqlite' ? new SqlGroupAuth(db, (fn) => this.transaction(fn)) : r.auth;
  }

  /** PostgreSQL: the signings of one moment in one statement (first-signatures.ts). */
  private firstSignatures: PgFirstSignatures | undefined;

  async insertFirstSignature(first: FirstSignature): Promise<boolean> {
    if (this.dialect === 'postgres') return (this.firstSignatures ??= new PgFirstSignatures(this.db, signatureRow)).insert(first);
    // SQLite: the same steps as a unit of the group commit (statements are cheap here; the commit is what is shared).
    return this.transaction((tx) => insertFirstSignatureSteps(tx, first));
  }

  /**
   * Folds up to `limit` count deltas into letter_counts, letter_country_counts and letter_hourly_counts, in one
   * transaction: the deltas it deletes and the sums it adds land together, so reads (aggregate + remaining deltas)
   * stay exact throughout. On PostgreSQL one process folds at a time (a transaction-level advisory lock; the
   * others skip their turn); on SQLite the write lock serialises it.
   */
  async foldCounts(limit = 20_000): Promise<number> {
    const fold = async (trx: Db): Promise<number> => {
      if (this.dialect === 'postgres') {
        const got = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${sql.lit(FOLD_LOCK_KEY)}) as ok`.execute(trx);
        if (!got.rows[0]?.ok) return 0;
      }
      const { rows } = await sql<{ letter_id: string; country: string; hour: string; public: number; delta: number }>`delete from count_deltas
        where id in (select id from count_deltas order by id limit ${limit})
        returning letter_id, country, hour, public, delta`.execute(trx);
      if (!rows.length) return 0;
      const letters = new Map<string, { n: number; p: number }>();
      const countries = new Map<string, number>();
      const hours = new Map<string, number>();
      for (const r of rows) {
        const d = Number(r.delta);
        const l = letters.get(r.letter_id) ?? { n: 0, p: 0 };
        l.n += d;
        l.p += d * Number(r.public);
        letters.set(r.letter_id, l);
        const ck = `${r.letter_id}\u0000${r.country}`;
        countries.set(ck, (countries.get(ck) ?? 0) + d);
        const hk = `${r.letter_id}\u0000${r.hour}`;
        hours.set(hk, (hours.get(hk) ?? 0) + d);
      }
      const split = (k: string) => k.split('\u0000') as [string, string];
      for (const chunk of chunks([...letters], 500)) {
        await trx
          .insertInto('letter_counts')
          .values(chunk.map(([letter_id, v]) => ({ letter_id, n: v.n, n_public: v.p })))
          .onConflict((oc) => oc.column('letter_id').doUpdateSet((eb) => ({
            n: eb('letter_counts.n', '+', eb.ref('excluded.n')),
            n_public: eb('letter_counts.n_public', '+', eb.ref('excluded.n_public')),
          })))
          .execute();
      }
      for (const chunk of chunks([...countries], 500)) {
        await trx
          .insertInto('letter_country_counts')
          .values(chunk.map(([k, n]) => ({ letter_id: split(k)[0], country: split(k)[1], n })))
          .onConflict((oc) => oc.columns(['letter_id', 'country']).doUpdateSet((eb) => ({ n: eb('letter_country_counts.n', '+', eb.ref('excluded.n')) })))
          .execute();
      }
      for (const chunk of chunks([...hours], 500)) {
        await trx
          .insertInto('letter_hourly_counts')
          .values(chunk.map(([k, n]) => ({ letter_id: split(k)[0], hour: split(k)[1], n })))
          .onConflict((oc) => oc.columns(['letter_id', 'hour']).doUpdateSet((eb) => ({ n: eb('letter_hourly_counts.n', '+', eb.ref('excluded.n')) })))
          .execute();
      }
      return rows.length;
    };
    // SQLite: a unit of the group commit, which takes the write lock without blocking the event loop (a plain
    // transaction would wait for another process's writer in busy_timeout, the whole process asleep).
    if (this.dialect === 'sqlite' && this.groupCommit) return this.inGroup((_tx, db) => fold(db));
    return this.db.transaction().execute(fold);
  }

  private folder: NodeJS.Timeout | undefined;
  private folding = false;
  private lastFoldError = 0;

  /**
   * Folds in the background every `intervalMs` (until close). Reads are exact without it; it keeps the deltas
   * they add up short. Errors are reported at most once a minute and retried at the next tick.
   */
  startFolding(intervalMs = 1000, onError: (e: Error) => void = (e) => console.error(`undersigned: folding counts failed: ${e.message}`)): void {
    if (this.folder || intervalMs <= 0) return;
    this.folder = setInterval(() => {
      if (this.folding) return;
      this.folding = true;
      (async () => {
        // Drain a backlog (a bulk load) in batches, then wait for the next tick.
        for (let i = 0; i < 50 && this.folder; i++) if ((await this.foldCounts()) < 20_000) break;
      })()
        .catch((e: Error) => {
          if (Date.now() - this.lastFoldError > 60_000) {
            this.lastFoldError = Date.now();
            onError(e);
          }
        })
        .finally(() => {
          this.folding = false;
        });
    }, intervalMs);
    this.folder.unref?.();
  }

  /** Brings the schema up to date. `on` lets the PostgreSQL opener run it on the one connection that holds its lock. */
  async migrate(on: Kysely<Database> = this.db): Promise<void> {
    const migrator = new Migrator({ db: on, provider: new StaticMigrations(this.dialect) });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.dialect !== 'sqlite' || !this.groupCommit) return this.db.transaction().execute((trx) => fn(repos(trx, this.dialect)));
    return this.inGroup(fn);
  }

  /** Queues a unit of work for the group commit; `db` is the connection it runs on (for the store's own SQL). */
  private inGroup<T>(fn: (tx: StoreTx, db: Db) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn: fn as Unit['fn'], resolve: resolve as (v: unknown) => void, reject });
      if (!this.committing) void this.commitGroups();
    });
  }

  /**
   * Group commit (SQLite): the one connection runs one transaction at a time, and a commit (writing the changed
   * pages to the WAL) costs more than the few statements of a signing. Units of work that arrive while a transaction
   * runs wait and then run together, one after another, in one BEGIN IMMEDIATE … COMMIT, each inside its own
   * SAVEPOINT: a unit that throws is rolled back to its savepoint alone (the others keep their writes) and gets its
   * error; each unit sees the committed writes of the units before it, exactly as if they had run one after another.
   * Every unit is answered only after the COMMIT (durability unchanged); if the COMMIT (or BEGIN) fails, every unit
   * of the group fails with that error and none of their writes land. Disabled with `groupCommit = false`.
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
   * wait for (measured: two processes signed slower than one, ~400 µs of CPU per signing instead of ~250), so the
   * workers of `serve --processes N` gather one turn before BEGIN and hold the lock only for the statements and the
   * COMMIT (~320 µs per signing; docs/decisions/0004).
   */
  groupCommit = true;
  /** Gather more units inside the transaction (one process) or before taking the lock (several processes). */
  gatherInLock = true;
  /** Most units of work in one group commit (keeps the wait of reads queued behind a group short). */
  static readonly MAX_GROUP = 256;
  /** Longest wait for another process's write lock before a group fails (busy_timeout's 5 s, without blocking). */
  lockWaitMs = 5000;
  private pending: Unit[] = [];
  private committing = false;

  private async commitGroups(): Promise<void> {
    this.committing = true;
    try {
      while (this.pending.length) {
        if (!this.gatherInLock) await new Promise((r) => setImmediate(r));
        const group = this.pending.splice(0, SqlStore.MAX_GROUP);
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
            if (group.length < SqlStore.MAX_GROUP) group.push(...this.pending.splice(0, SqlStore.MAX_GROUP - group.length));
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
          await sql`pragma busy_timeout = ${sql.lit(SqlStore.BUSY_TIMEOUT_MS)}`.execute(conn).catch(() => undefined);
          throw e;
        }
      }
      try {
        await sql`pragma busy_timeout = ${sql.lit(SqlStore.BUSY_TIMEOUT_MS)}`.execute(conn);
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
      const tx = repos(conn, this.dialect);
      for (let i = 0; ; i++) {
        if (i === group.length) {
          // better-sqlite3 answers synchronously, so a unit runs to its end without letting the event loop
          // read new requests: let it read them once (one turn), and take in what they queued.
          if (group.length >= SqlStore.MAX_GROUP || !this.gatherInLock) break;
          await new Promise((r) => setImmediate(r));
          if (!this.pending.length) break;
          group.push(...this.pending.splice(0, SqlStore.MAX_GROUP - group.length));
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

  /** The transaction statements on the SQLite connection itself (the opener sets it); without it, through Kysely. */
  txControl: SqliteTxControl | undefined;
  /**
   * Signals between the writers of one file (the workers of `serve --processes N`, wired in main.ts through the
   * cluster's primary): SQLite has no queue for its write lock and no way to wait for it without blocking, so a
   * waiting group polls on a 1 ms timer, and the other process — which goes on gathering and taking the lock — often
   * got it again first. `onLockBusy` tells the others this one waits (at the first SQLITE_BUSY of a wait, and again
   * after each signalled try that failed); `afterCommit` tells them a COMMIT let go of the lock; `lockReleased()`
   * (that news arriving) makes a waiting group try at once instead of at its next tick. The timer stays: a writer
   * that sends no signal (the CLI, a lost message) only costs the wait it cost before.
   */
  afterCommit: (() => void) | undefined;
  onLockBusy: (() => void) | undefined;
  private wakeWaiter: ((signalled: boolean) => void) | undefined;

  /** Another writer committed: a group waiting for the write lock tries now. */
  lockReleased(): void {
    this.wakeWaiter?.(true);
  }

  /** The connection's busy_timeout outside BEGIN IMMEDIATE (set by the SQLite opener). */
  static readonly BUSY_TIMEOUT_MS = 5000;

  private closers: (() => Promise<void>)[] = [];

  /** Runs `fn` when the store closes, before its connection does (the SQLite opener's checkpointer thread). */
  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    for (const fn of this.closers.splice(0)) await fn().catch(() => undefined);
    if (this.folder) clearInterval(this.folder);
    this.folder = undefined;
    while (this.folding) await new Promise((r) => setTimeout(r, 5));
    await this.db.destroy();
  }
}
