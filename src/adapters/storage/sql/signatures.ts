/**
 * Signatures (SignatureRepo) and the reads over them: the exact counts (folded aggregates plus the deltas not yet
 * folded, counts.ts), the public list and its changes.
 */
import { sql, type Selectable } from 'kysely';
import type { LetterStats, PublicChange, SignatureRepo } from '../../../core/ports.ts';
import type { PublicSignature, Signature } from '../../../core/model.ts';
import type { Db, Dialect } from './dialect.ts';
import type { SignaturesTable } from './schema.ts';
import { Prepared } from './prepared.ts';
import { SIGNATURE_COLUMNS, signatureRow, toSignature, u } from './rows.ts';

// The statements of signing and confirming, compiled once (prepared.ts).
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

export class SqlSignatures implements SignatureRepo {
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
      // A row-value comparison: both databases seek in the (letter_id, updated_at, id) index (an OR of two
      // conditions would scan from the start for every batch, which makes a full rebuild quadratic).
      q = q.where((eb) => eb(eb.refTuple('updated_at', 'id'), '>', eb.tuple(after.updatedAt, after.id)));
    }
    const rows = await q.orderBy('updated_at').orderBy('id').limit(opts.limit).execute();
    return rows.map((r) => ({
      sig: { id: r.id, name: r.name, nameAlt: u(r.name_alt), title: u(r.title), country: u(r.country), confirmedAt: r.confirmed_at ?? '' },
      listed: r.status === 'confirmed' && r.visibility === 'public',
      updatedAt: r.updated_at,
    }));
  }

  async countHeld(letterId: string): Promise<number> {
    const r = await this.db.selectFrom('signatures').select((eb) => eb.fn.countAll().as('n'))
      .where('letter_id', '=', letterId).where('status', '=', 'held').where('hold', 'is not', null).executeTakeFirst();
    return Number(r?.n ?? 0);
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
