/**
 * The organiser's desk in SQL (both dialects): moderators of letters, instance admins, organiser approvals, API
 * tokens (hashes only) and the organisers' audit trail. Decisions are single conditional statements (insert if
 * absent, update where the status is still as expected), so concurrent writers cannot both win.
 */
import { sql, type ColumnDataType, type Expression, type Kysely, type Migration, type Transaction } from 'kysely';
import type { DeskRepo } from '../../../core/ports.ts';
import type { Signature } from '../../../core/model.ts';
import type { ApiToken, ApprovalStatus, AuditEntry, InstanceAdmin, OrganiserApproval } from '../../../core/organisers/policy.ts';
import type { AddedSignature, AddedSource, SignatureImport } from '../../../core/organisers/signature-rows.ts';
/** The desk's own tables: schema.ts adds them to the Database (this file does not import it, so no cycle). */
type Db = Kysely<DeskTables> | Transaction<DeskTables>;

export interface LetterModeratorsTable {
  letter_id: string;
  email: string;
}
export interface InstanceAdminsTable {
  email: string;
  added_at: string;
  added_by: string;
}
export interface OrganiserApprovalsTable {
  email: string;
  status: string;
  requested_at: string;
  decided_at: string | null;
  decided_by: string | null;
}
export interface ApiTokensTable {
  id: string;
  token_hash: string;
  email: string;
  letter_id: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}
export interface AuditLogTable {
  id: string;
  letter_id: string;
  at: string;
  actor: string;
  action: string;
  detail: string;
}

export interface TitleChecksTable {
  letter_id: string;
  signature_id: string;
  checked_at: string;
  checked_by: string;
}

/** 0016: paper and imported signatures, per-letter display options. */
export interface SignatureImportsTable {
  id: string;
  letter_id: string;
  rows_hash: string;
  source: string;
  added_by: string;
  rows: number;
  created_at: string;
}
export interface SignatureSourcesTable {
  signature_id: string;
  letter_id: string;
  source: string;
  added_by: string;
  import_id: string;
}
export interface LetterSettingsTable {
  letter_id: string;
  show_notable: number;
}

export interface DeskTables {
  signature_imports: SignatureImportsTable;
  signature_sources: SignatureSourcesTable;
  letter_settings: LetterSettingsTable;
  title_checks: TitleChecksTable;
  letter_moderators: LetterModeratorsTable;
  instance_admins: InstanceAdminsTable;
  organiser_approvals: OrganiserApprovalsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
}

export function deskMigration(text: ColumnDataType | Expression<unknown>): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('letter_moderators')
        .addColumn('letter_id', text, (c) => c.notNull().references('letters.id').onDelete('cascade'))
        .addColumn('email', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('letter_moderators_pk', ['letter_id', 'email'])
        .execute();
      await db.schema.createTable('instance_admins')
        .addColumn('email', text, (c) => c.primaryKey())
        .addColumn('added_at', text, (c) => c.notNull())
        .addColumn('added_by', text, (c) => c.notNull())
        .execute();
      await db.schema.createTable('organiser_approvals')
        .addColumn('email', text, (c) => c.primaryKey())
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('requested_at', text, (c) => c.notNull())
        .addColumn('decided_at', text)
        .addColumn('decided_by', text)
        .execute();
      await db.schema.createTable('api_tokens')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('token_hash', text, (c) => c.notNull().unique())
        .addColumn('email', text, (c) => c.notNull())
        .addColumn('letter_id', text)
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('expires_at', text)
        .addColumn('revoked_at', text)
        .execute();
      await db.schema.createTable('audit_log')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('letter_id', text, (c) => c.notNull())
        .addColumn('at', text, (c) => c.notNull())
        .addColumn('actor', text, (c) => c.notNull())
        .addColumn('action', text, (c) => c.notNull())
        .addColumn('detail', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_letter_at').on('audit_log').columns(['letter_id', 'at']).execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['audit_log', 'api_tokens', 'organiser_approvals', 'instance_admins', 'letter_moderators']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}

/** 0011b: which signatures' titles an organiser checked (vetted titles). */
export function titleChecksMigration(text: ColumnDataType | Expression<unknown>): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('title_checks')
        .addColumn('signature_id', text, (c) => c.primaryKey())
        .addColumn('letter_id', text, (c) => c.notNull())
        .addColumn('checked_at', text, (c) => c.notNull())
        .addColumn('checked_by', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('title_checks_letter').on('title_checks').column('letter_id').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('title_checks').ifExists().execute();
    },
  };
}

const u = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
const changed = (r: { numInsertedOrUpdatedRows?: bigint; numUpdatedRows?: bigint; numDeletedRows?: bigint }) =>
  Number(r.numInsertedOrUpdatedRows ?? r.numUpdatedRows ?? r.numDeletedRows ?? 0n) > 0;

const toApproval = (r: OrganiserApprovalsTable): OrganiserApproval => ({
  email: r.email, status: r.status as ApprovalStatus, requestedAt: r.requested_at, decidedAt: u(r.decided_at), decidedBy: u(r.decided_by),
});
const toToken = (r: ApiTokensTable): ApiToken => ({
  id: r.id, tokenHash: r.token_hash, email: r.email, letterId: u(r.letter_id), createdAt: r.created_at,
  expiresAt: u(r.expires_at), revokedAt: u(r.revoked_at),
});

export class SqlDesk implements DeskRepo {
  private readonly db: Db;
  /** Takes the store's connection or transaction (any schema holding the desk's tables). */
  constructor(db: Kysely<any> | Transaction<any>, private readonly toSignature: (row: any) => Signature) {
    this.db = db as Db;
  }

  async moderators(letterId: string) {
    const rows = await this.db.selectFrom('letter_moderators').select('email').where('letter_id', '=', letterId).orderBy('email').execute();
    return rows.map((r) => r.email);
  }
  async setModerator(letterId: string, email: string, moderator: boolean) {
    if (moderator) {
      await this.db.insertInto('letter_moderators').values({ letter_id: letterId, email }).onConflict((oc) => oc.doNothing()).execute();
    } else await this.db.deleteFrom('letter_moderators').where('letter_id', '=', letterId).where('email', '=', email).execute();
  }
  async addAdmin(a: InstanceAdmin) {
    const r = await this.db.insertInto('instance_admins').values({ email: a.email, added_at: a.addedAt, added_by: a.addedBy })
      .onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return changed(r);
  }
  async removeAdmin(email: string) {
    return changed(await this.db.deleteFrom('instance_admins').where('email', '=', email).executeTakeFirst());
  }
  async isAdmin(email: string) {
    return !!(await this.db.selectFrom('instance_admins').select('email').where('email', '=', email).executeTakeFirst());
  }
  async admins() {
    const rows = await this.db.selectFrom('instance_admins').selectAll().orderBy('email').execute();
    return rows.map((r) => ({ email: r.email, addedAt: r.added_at, addedBy: r.added_by }));
  }
  async approval(email: string) {
    const r = await this.db.selectFrom('organiser_approvals').selectAll().where('email', '=', email).executeTakeFirst();
    return r && toApproval(r);
  }
  async insertApproval(a: OrganiserApproval) {
    const r = await this.db.insertInto('organiser_approvals')
      .values({ email: a.email, status: a.status, requested_at: a.requestedAt, decided_at: a.decidedAt ?? null, decided_by: a.decidedBy ?? null })
      .onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return changed(r);
  }
  async decideApproval(email: string, from: ApprovalStatus[], to: ApprovalStatus, at: string, by: string) {
    if (!from.length) return false;
    const r = await this.db.updateTable('organiser_approvals').set({ status: to, decided_at: at, decided_by: by })
      .where('email', '=', email).where('status', 'in', from).executeTakeFirst();
    return changed(r);
  }
  async approvals(status?: ApprovalStatus) {
    let q = this.db.selectFrom('organiser_approvals').selectAll();
    if (status) q = q.where('status', '=', status);
    return (await q.orderBy('email').execute()).map(toApproval);
  }
  async insertToken(t: ApiToken) {
    await this.db.insertInto('api_tokens').values({
      id: t.id, token_hash: t.tokenHash, email: t.email, letter_id: t.letterId ?? null, created_at: t.createdAt,
      expires_at: t.expiresAt ?? null, revoked_at: t.revokedAt ?? null,
    }).execute();
  }
  async tokenByHash(tokenHash: string) {
    const r = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r && toToken(r);
  }
  async revokeToken(id: string, at: string) {
    const r = await this.db.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return changed(r);
  }
  async tokens(email?: string) {
    let q = this.db.selectFrom('api_tokens').selectAll();
    if (email) q = q.where('email', '=', email);
    return (await q.orderBy('created_at').orderBy('id').execute()).map(toToken);
  }
  async addAudit(e: AuditEntry) {
    await this.db.insertInto('audit_log').values({
      id: e.id, letter_id: e.letterId, at: e.at, actor: e.actor, action: e.action, detail: JSON.stringify(e.detail),
    }).execute();
  }
  async audit(letterId: string, limit: number) {
    const rows = await this.db.selectFrom('audit_log').selectAll().where('letter_id', '=', letterId)
      .orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, letterId: r.letter_id, at: r.at, actor: r.actor, action: r.action as AuditEntry['action'], detail: JSON.parse(r.detail) }));
  }
  async letterSignatures(letterId: string) {
    const rows = await (this.db as Kysely<any>).selectFrom('signatures').selectAll().where('letter_id', '=', letterId)
      .orderBy('created_at').orderBy('id').execute();
    return rows.map(this.toSignature);
  }
  async setTitleChecked(letterId: string, signatureId: string, checked: boolean, at: string, by: string) {
    if (checked) {
      const r = await this.db.insertInto('title_checks').values({ letter_id: letterId, signature_id: signatureId, checked_at: at, checked_by: by })
        .onConflict((oc) => oc.doNothing()).executeTakeFirst();
      return changed(r);
    }
    return changed(await this.db.deleteFrom('title_checks').where('signature_id', '=', signatureId).executeTakeFirst());
  }
  async checkedTitles(letterId: string) {
    return (await this.db.selectFrom('title_checks').select('signature_id').where('letter_id', '=', letterId).execute()).map((r) => r.signature_id);
  }
  async insertImport(imp: SignatureImport) {
    const r = await this.db.insertInto('signature_imports').values({
      id: imp.id, letter_id: imp.letterId, rows_hash: imp.rowsHash, source: imp.source, added_by: imp.addedBy, rows: imp.rows, created_at: imp.createdAt,
    }).onConflict((oc) => oc.columns(['letter_id', 'rows_hash']).doNothing()).executeTakeFirst();
    return changed(r);
  }
  async importByHash(letterId: string, rowsHash: string) {
    const r = await this.db.selectFrom('signature_imports').selectAll().where('letter_id', '=', letterId).where('rows_hash', '=', rowsHash).executeTakeFirst();
    return r && { id: r.id, letterId: r.letter_id, rowsHash: r.rows_hash, source: r.source as AddedSource, addedBy: r.added_by, rows: Number(r.rows), createdAt: r.created_at };
  }
  async addSignatureSource(a: AddedSignature) {
    await this.db.insertInto('signature_sources').values({ signature_id: a.signatureId, letter_id: a.letterId, source: a.source, added_by: a.addedBy, import_id: a.importId }).execute();
  }
  async signatureSources(letterId: string) {
    const rows = await this.db.selectFrom('signature_sources').selectAll().where('letter_id', '=', letterId).execute();
    return new Map(rows.map((r) => [r.signature_id, { signatureId: r.signature_id, letterId: r.letter_id, source: r.source as AddedSource, addedBy: r.added_by, importId: r.import_id }]));
  }
  async sourceCounts(letterId: string) {
    const db = this.db as Kysely<any>;
    const rows = await db.selectFrom('signatures as s').leftJoin('signature_sources as ss', 'ss.signature_id', 's.id')
      .select((eb) => ['ss.source', eb.fn.countAll().as('n')])
      // `imported = 1` as a literal: the partial index signatures_added (migration 0016) is chosen only for its own predicate
      .where('s.letter_id', '=', letterId).where('s.status', '=', 'confirmed').where(sql<boolean>`s.imported = 1`)
      .groupBy('ss.source').execute();
    const out: Record<AddedSource, number> = { paper: 0, imported: 0 };
    // No record: a signatory of an imported letter (imported).
    for (const r of rows) out[r.source === 'paper' ? 'paper' : 'imported'] += Number(r.n);
    return out;
  }
  async showNotable(letterId: string) {
    const r = await this.db.selectFrom('letter_settings').select('show_notable').where('letter_id', '=', letterId).executeTakeFirst();
    return Number(r?.show_notable ?? 0) === 1;
  }
  async setShowNotable(letterId: string, on: boolean) {
    const v = on ? 1 : 0;
    const r = await this.db.insertInto('letter_settings').values({ letter_id: letterId, show_notable: v })
      .onConflict((oc) => oc.column('letter_id').doUpdateSet({ show_notable: v }).where('letter_settings.show_notable', '<>', v)).executeTakeFirst();
    return changed(r);
  }
}
