/** Updates to signers, unsubscriptions and the addressee's replies (UpdateRepo; migration 0017_updates_replies). */
import type { UpdateRepo } from '../../../core/ports.ts';
import type { LetterReply, LetterUpdate, UpdateKind, UpdateRecipient } from '../../../core/model.ts';
import type { Db } from './dialect.ts';
import { n, u } from './rows.ts';
import type { LetterRepliesTable, LetterUpdatesTable } from './update-tables.ts';

const toUpdate = (r: LetterUpdatesTable): LetterUpdate => ({
  id: r.id, letterId: r.letter_id, key: r.update_key, kind: r.kind as UpdateKind, subject: JSON.parse(r.subject), body: JSON.parse(r.body),
  replyId: u(r.reply_id), recipients: Number(r.recipients), createdAt: r.created_at, createdBy: u(r.created_by),
  fanoutAfter: u(r.fanout_after), fanoutDone: Number(r.fanout_done) === 1, fanoutAt: u(r.fanout_at),
});

const toReply = (r: Omit<LetterRepliesTable, 'pdf'>): LetterReply => ({
  id: r.id, letterId: r.letter_id, receivedOn: r.received_on, texts: JSON.parse(r.texts), textSha256: r.text_sha256, pdfSha256: u(r.pdf_sha256),
  createdAt: r.created_at, createdBy: u(r.created_by),
});

export class SqlUpdates implements UpdateRepo {
  constructor(private readonly db: Db) {}

  async insertUpdate(x: LetterUpdate): Promise<boolean> {
    // Conditional: the unique (letter, key) decides which of two sends at once inserts (and so queues the mails).
    const r = await this.db
      .insertInto('letter_updates')
      .values({
        id: x.id, letter_id: x.letterId, update_key: x.key, kind: x.kind, subject: JSON.stringify(x.subject), body: JSON.stringify(x.body),
        reply_id: n(x.replyId), recipients: x.recipients, created_at: x.createdAt, created_by: n(x.createdBy),
        fanout_after: n(x.fanoutAfter), fanout_done: x.fanoutDone ? 1 : 0, fanout_at: n(x.fanoutAt),
      })
      .onConflict((oc) => oc.columns(['letter_id', 'update_key']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async updateByKey(letterId: string, key: string): Promise<LetterUpdate | undefined> {
    const r = await this.db.selectFrom('letter_updates').selectAll().where('letter_id', '=', letterId).where('update_key', '=', key).executeTakeFirst();
    return r && toUpdate(r);
  }

  async updates(letterId: string): Promise<LetterUpdate[]> {
    const rows = await this.db.selectFrom('letter_updates').selectAll().where('letter_id', '=', letterId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map(toUpdate);
  }

  async recipients(letterId: string): Promise<UpdateRecipient[]> {
    const rows = await this.db
      .selectFrom('signatures')
      .select(['id', 'email', 'lang'])
      .where('letter_id', '=', letterId)
      .where('status', '=', 'confirmed')
      .where('consent_updates', '=', 1)
      .where('email', '<>', '')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ signatureId: r.id, email: r.email, lang: r.lang }));
  }

  private recipientRows(letterId: string) {
    return this.db
      .selectFrom('signatures')
      .where('letter_id', '=', letterId)
      .where('status', '=', 'confirmed')
      .where('consent_updates', '=', 1)
      .where('email', '<>', '');
  }

  async recipientCount(letterId: string): Promise<number> {
    const r = await this.recipientRows(letterId).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async recipientsAfter(letterId: string, after: string | undefined, limit: number): Promise<UpdateRecipient[]> {
    let q = this.recipientRows(letterId).select(['id', 'email', 'lang']);
    if (after !== undefined) q = q.where('id', '>', after);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ signatureId: r.id, email: r.email, lang: r.lang }));
  }

  async updateById(id: string): Promise<LetterUpdate | undefined> {
    const r = await this.db.selectFrom('letter_updates').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toUpdate(r);
  }

  async advanceFanout(updateId: string, from: string | undefined, to: string | undefined, done: boolean, at: string): Promise<boolean> {
    // Conditional on the cursor as read: the batch that moves it commits, any other rolls back.
    let q = this.db.updateTable('letter_updates').set({ fanout_after: n(to), fanout_done: done ? 1 : 0, fanout_at: at }).where('id', '=', updateId).where('fanout_done', '=', 0);
    q = from === undefined ? q.where('fanout_after', 'is', null) : q.where('fanout_after', '=', from);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async unfinishedFanouts(before: string, limit: number): Promise<LetterUpdate[]> {
    const rows = await this.db
      .selectFrom('letter_updates')
      .selectAll()
      .where('fanout_done', '=', 0)
      .where((eb) => eb(eb.fn.coalesce('fanout_at', 'created_at'), '<=', before))
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map(toUpdate);
  }

  async unsubscribed(letterId: string): Promise<number> {
    const r = await this.db
      .selectFrom('signatures')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('letter_id', '=', letterId)
      .where('status', '=', 'confirmed')
      .where('consent_updates', '=', 0)
      .where('email', '<>', '')
      .where((eb) => eb.exists(eb.selectFrom('signer_tokens').select('signer_tokens.token_hash').whereRef('signer_tokens.signature_id', '=', 'signatures.id').where('signer_tokens.purpose', '=', 'unsubscribe')))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async unsubscribe(signatureId: string, at: string): Promise<boolean> {
    // Conditional: of two unsubscriptions at once one changes the row; updated_at moves so that a writer holding the
    // row as read before (updateIfUnchanged) reads it again rather than writing the consent back.
    const r = await this.db.updateTable('signatures').set({ consent_updates: 0, updated_at: at }).where('id', '=', signatureId).where('consent_updates', '=', 1).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async insertReply(x: LetterReply, pdf?: Uint8Array): Promise<boolean> {
    const r = await this.db
      .insertInto('letter_replies')
      .values({
        id: x.id, letter_id: x.letterId, received_on: x.receivedOn, texts: JSON.stringify(x.texts), text_sha256: x.textSha256, pdf_sha256: n(x.pdfSha256),
        pdf: pdf?.length ? Buffer.from(pdf).toString('base64') : null, created_at: x.createdAt, created_by: n(x.createdBy),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async replies(letterId: string): Promise<LetterReply[]> {
    const rows = await this.db
      .selectFrom('letter_replies')
      .select(['id', 'letter_id', 'received_on', 'texts', 'text_sha256', 'pdf_sha256', 'created_at', 'created_by'])
      .where('letter_id', '=', letterId)
      .orderBy('received_on', 'desc')
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toReply);
  }

  async replyPdf(letterId: string, replyId: string): Promise<Uint8Array | undefined> {
    const r = await this.db.selectFrom('letter_replies').select('pdf').where('letter_id', '=', letterId).where('id', '=', replyId).executeTakeFirst();
    return r?.pdf ? new Uint8Array(Buffer.from(r.pdf, 'base64')) : undefined;
  }
}
