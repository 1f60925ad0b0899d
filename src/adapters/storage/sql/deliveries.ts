/** A letter's targets and the deliveries of its PDF (DeliveryRepo; migration 0013). */
import type { DeliveryRepo } from '../../../core/ports.ts';
import type { Delivery, DeliveryStatus, LetterTarget } from '../../../core/model.ts';
import type { Db } from './dialect.ts';
import { n, u } from './rows.ts';

export class SqlDeliveries implements DeliveryRepo {
  constructor(private readonly db: Db) {}

  async putTargets(letterId: string, targets: LetterTarget[]): Promise<void> {
    await this.db.deleteFrom('letter_targets').where('letter_id', '=', letterId).execute();
    if (!targets.length) return;
    await this.db
      .insertInto('letter_targets')
      .values(targets.map((t, i) => ({ id: t.id, letter_id: letterId, position: i, name: t.name, title: n(t.title), email: t.email, lang: t.lang })))
      .execute();
  }

  async targets(letterId: string): Promise<LetterTarget[]> {
    const rows = await this.db.selectFrom('letter_targets').selectAll().where('letter_id', '=', letterId).orderBy('position').execute();
    return rows.map((r) => ({ id: r.id, letterId: r.letter_id, name: r.name, title: u(r.title), email: r.email, lang: r.lang }));
  }

  async insert(d: Delivery): Promise<void> {
    await this.db
      .insertInto('deliveries')
      .values({
        id: d.id, run: d.run, letter_id: d.letterId, target_id: d.targetId, status: d.status, error: n(d.error), pdf_sha256: d.pdfSha256,
        tree_size: d.treeSize, created_at: d.createdAt, updated_at: d.updatedAt, sent_at: n(d.sentAt),
      })
      .execute();
  }

  async settle(id: string, status: Exclude<DeliveryStatus, 'queued'>, at: string, error?: string): Promise<boolean> {
    // Conditional: only a queued delivery takes its outcome, once.
    const r = await this.db
      .updateTable('deliveries')
      .set({ status, error: n(error), updated_at: at, sent_at: status === 'sent' ? at : null })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async bounce(id: string, at: string, reason: string): Promise<boolean> {
    // Conditional: only a sent delivery bounces, once.
    const r = await this.db.updateTable('deliveries').set({ status: 'bounced', error: reason, updated_at: at }).where('id', '=', id).where('status', '=', 'sent').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async byLetter(letterId: string): Promise<Delivery[]> {
    const rows = await this.db
      .selectFrom('deliveries')
      .leftJoin('letter_targets', 'letter_targets.id', 'deliveries.target_id')
      .selectAll('deliveries')
      .select('letter_targets.position')
      .where('deliveries.letter_id', '=', letterId)
      .orderBy('deliveries.created_at', 'desc')
      .orderBy('deliveries.run', 'desc')
      .orderBy('letter_targets.position')
      .execute();
    return rows.map((r) => ({
      id: r.id, run: r.run, letterId: r.letter_id, targetId: r.target_id, status: r.status as DeliveryStatus, error: u(r.error),
      pdfSha256: r.pdf_sha256, treeSize: Number(r.tree_size), createdAt: r.created_at, updatedAt: r.updated_at, sentAt: u(r.sent_at),
    }));
  }
}
