/**
 * Transparency-log storage (docs/transparency-log.md §7): the entry queue, the private openings of signatures,
 * signer tokens, retention settings, and the published files — tiles, entry bundles and the checkpoint — so that
 * every process serving the same database serves the same log.
 *
 * Dialect differences: bytea/blob, the sequencer lock (PostgreSQL: a transaction-level advisory lock, so two
 * processes never sequence at once; SQLite: the batch's first statement is a write, which takes the database's
 * single write lock before anything is read), and pg's bigint-as-string (always Number(...)).
 */
import { sql } from 'kysely';
import { forgetUndeliverable } from './mail-failures.ts';
import type {
  LogRepo, LogState, NewQueuedEntry, PublicOpening, QueuedEntry, QueuedKind, Removals, SignatureLog, SignerLogEntry, SignerTokenPurpose, StoredTile,
} from '../../../core/log-ports.ts';
import type { RemovalReason } from '../../../core/log/entries.ts';
import type { Signature } from '../../../core/model.ts';
import type { Db, Dialect } from './dialect.ts';
import type { Bytes, LogEntriesTable } from './schema.ts';
import { Prepared } from './prepared.ts';
import { chunks, toSignature } from './rows.ts';

/** Key of the transaction-level advisory lock held by the sequencer (PostgreSQL). */
export const SEQUENCER_LOCK_KEY = 7_268_417_310_004_323n;

const toBuf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const toU8 = (b: Bytes): Uint8Array => new Uint8Array(b);
const num = (v: number | string | null | undefined): number | undefined => (v === null || v === undefined ? undefined : Number(v));

function toQueued(r: LogEntriesTable): QueuedEntry {
  return {
    id: Number(r.id),
    kind: r.kind as QueuedKind,
    letter: r.letter,
    time: Number(r.time),
    bytes: r.bytes ? toU8(r.bytes) : undefined,
    refEntryId: num(r.ref_entry_id),
    reason: (r.reason ?? undefined) as RemovalReason | undefined,
    signatureId: r.signature_id ?? undefined,
    textHash: r.text_hash ?? undefined,
    index: num(r.idx),
  };
}

/** The first `width` entries of a (possibly wider) bundle: entries are uint16-length-prefixed. */
export function bundlePrefix(data: Uint8Array, width: number): Uint8Array | undefined {
  let off = 0;
  for (let i = 0; i < width; i++) {
    if (off + 2 > data.length) return undefined;
    off += 2 + ((data[off]! << 8) | data[off + 1]!);
  }
  return off <= data.length ? data.subarray(0, off) : undefined;
}

const SIGNER_TOKEN_INSERT = new Prepared<{ token_hash: string; signature_id: string; purpose: string; created_at: string }>((db, p) =>
  db.insertInto('signer_tokens').values(p).onConflict((oc) => oc.column('token_hash').doNothing()));
const SIGNATURE_LOG_PUT = new Prepared<{ signature_id: string; letter_id: string; entry_id: number; name_opening: Buffer | null; contact_opening: Buffer | null; erased_at: string | null }>(
  (db, { signature_id, ...rest }) => db.insertInto('signature_log').values({ signature_id, ...rest } as never).onConflict((oc) => oc.column('signature_id').doUpdateSet(rest as never)));

/** One tile or bundle row: the primary key (level, idx) is the only index used (served to every auditor). */
const TILE_ROW = new Prepared<{ level: number; idx: number }>((db, p) =>
  db.selectFrom('log_tiles').select(['width', 'data']).where('level', '=', p.level).where('idx', '=', p.idx));

/**
 * The auditors' export of one bundle's public names: a range of the unique log index, then the signature's log row
 * (by entry id) and the signature (by id). Privacy rules in the WHERE clause: only `sig` entries that are the
 * signature's current entry (signature_log.entry_id), only confirmed public signatures — what the list shows.
 */
const PUBLIC_OPENINGS = new Prepared<{ from: number; to: number; kind: string; status: string; visibility: string }>((db, p) =>
  db
    .selectFrom('log_entries')
    .innerJoin('signature_log', 'signature_log.entry_id', 'log_entries.id')
    .innerJoin('signatures', 'signatures.id', 'signature_log.signature_id')
    .select(['log_entries.idx', 'signatures.name', 'signature_log.name_opening', 'signature_log.erased_at'])
    .where('log_entries.idx', '>=', p.from)
    .where('log_entries.idx', '<', p.to)
    .where('log_entries.kind', '=', p.kind)
    .where('signatures.status', '=', p.status)
    .where('signatures.visibility', '=', p.visibility)
    .orderBy('log_entries.idx'));

/** A view, not a copy: the driver returns a fresh buffer per row. */
const view = (b: Bytes): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export class SqlLog implements LogRepo {
  constructor(private readonly db: Db, private readonly dialect: Dialect) {}

  async enqueue(e: NewQueuedEntry): Promise<number> {
    const r = await this.db
      .insertInto('log_entries')
      .values({
        kind: e.kind,
        letter: e.letter,
        time: e.time,
        bytes: e.bytes ? toBuf(e.bytes) : null,
        ref_entry_id: e.refEntryId ?? null,
        reason: e.reason ?? null,
        signature_id: e.signatureId ?? null,
        text_hash: e.textHash ?? null,
        idx: null,
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  }

  async putSignatureLog(r: SignatureLog): Promise<void> {
    const row = {
      signature_id: r.signatureId,
      letter_id: r.letterId,
      entry_id: r.entryId,
      name_opening: r.nameOpening ? toBuf(r.nameOpening) : null,
      contact_opening: r.contactOpening ? toBuf(r.contactOpening) : null,
      erased_at: r.erasedAt ?? null,
    };
    await SIGNATURE_LOG_PUT.execute(this.db, this.dialect, row);
  }

  private async logsWhere(ids: string[]): Promise<SignatureLog[]> {
    if (!ids.length) return [];
    const out: SignatureLog[] = [];
    for (const part of chunks([...new Set(ids)], 500)) {
      const rows = await this.db
        .selectFrom('signature_log')
        .leftJoin('log_entries', 'log_entries.id', 'signature_log.entry_id')
        .select(['signature_log.signature_id', 'signature_log.letter_id', 'signature_log.entry_id', 'signature_log.name_opening', 'signature_log.contact_opening', 'signature_log.erased_at', 'log_entries.idx'])
        .where('signature_log.signature_id', 'in', part)
        .execute();
      for (const r of rows) {
        out.push({
          signatureId: r.signature_id,
          letterId: r.letter_id,
          entryId: Number(r.entry_id),
          logIndex: num(r.idx),
          nameOpening: r.name_opening ? toU8(r.name_opening) : undefined,
          contactOpening: r.contact_opening ? toU8(r.contact_opening) : undefined,
          erasedAt: r.erased_at ?? undefined,
        });
      }
    }
    return out;
  }

  async signatureLog(signatureId: string): Promise<SignatureLog | undefined> {
    return (await this.logsWhere([signatureId]))[0];
  }

  async signatureLogs(signatureIds: string[]): Promise<Map<string, SignatureLog>> {
    return new Map((await this.logsWhere(signatureIds)).map((r) => [r.signatureId, r]));
  }

  async eraseSignatureLog(signatureId: string, at: string): Promise<void> {
    await this.db.updateTable('signature_log').set({ name_opening: null, contact_opening: null, erased_at: at }).where('signature_id', '=', signatureId).execute();
  }

  async unlogged(letterId: string, limit: number): Promise<Signature[]> {
    const rows = await this.db
      .selectFrom('signatures')
      .selectAll('signatures')
      .where('signatures.letter_id', '=', letterId)
      .where('signatures.status', '=', 'confirmed')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('signature_log').select('signature_log.signature_id').whereRef('signature_log.signature_id', '=', 'signatures.id'))))
      .orderBy('signatures.id')
      .limit(limit)
      .execute();
    return rows.map(toSignature);
  }

  async textHashes(letter: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom('log_entries').select('text_hash').where('letter', '=', letter).where('kind', '=', 'letter').execute();
    return new Set(rows.map((r) => r.text_hash).filter((x): x is string => !!x));
  }

  async removals(letter: string): Promise<Removals> {
    const rows = await this.db
      .selectFrom('log_entries')
      .select(['kind', 'reason', (eb) => eb.fn.countAll().as('n')])
      .where('letter', '=', letter)
      .where('kind', 'in', ['withdraw', 'remove'])
      // Each signature's first cancellation only: a second one is a duplicate (§7.8), which counts nothing.
      .where((eb) => eb.not(eb.exists(eb.selectFrom('log_entries as first').select('first.id')
        .whereRef('first.ref_entry_id', '=', 'log_entries.ref_entry_id').where('first.kind', 'in', ['withdraw', 'remove']).whereRef('first.id', '<', 'log_entries.id'))))
      .groupBy(['kind', 'reason'])
      .execute();
    const out: Removals = { withdrawn: 0, removed: { signer: 0, duplicate: 0, fraud: 0, legal: 0 } };
    for (const r of rows) {
      if (r.kind === 'withdraw') out.withdrawn += Number(r.n);
      else if (r.reason && r.reason in out.removed) out.removed[r.reason as RemovalReason] += Number(r.n);
    }
    return out;
  }

  async putSignerToken(tokenHash: string, signatureId: string, purpose: SignerTokenPurpose, createdAt: string): Promise<void> {
    await SIGNER_TOKEN_INSERT.execute(this.db, this.dialect, { token_hash: tokenHash, signature_id: signatureId, purpose, created_at: createdAt });
  }

  async signerToken(tokenHash: string): Promise<{ signatureId: string; purpose: SignerTokenPurpose } | undefined> {
    const r = await this.db.selectFrom('signer_tokens').select(['signature_id', 'purpose']).where('token_hash', '=', tokenHash).executeTakeFirst();
    return r && { signatureId: r.signature_id, purpose: r.purpose as SignerTokenPurpose };
  }

  async entriesOfSignature(signatureId: string): Promise<SignerLogEntry[]> {
    // The index log_entries_signature (signature_id, idx) finds them.
    const rows = await this.db.selectFrom('log_entries').select(['kind', 'idx', 'time', 'reason']).where('signature_id', '=', signatureId)
      .where('kind', 'in', ['sig', 'withdraw', 'remove']).orderBy('id').execute();
    return rows.map((r) => ({ kind: r.kind as SignerLogEntry['kind'], index: num(r.idx), time: Number(r.time), reason: (r.reason ?? undefined) as RemovalReason | undefined }));
  }

  async forgetSigner(signatureId: string, email: string): Promise<void> {
    await this.db.deleteFrom('signer_tokens').where('signature_id', '=', signatureId).execute();
    if (!email) return;
    // LIKE finds candidates (its _ and % are wildcards, so it may find too many); the exact check is on the parsed payload.
    const candidates = await this.db.selectFrom('outbox').select(['id', 'payload']).where('payload', 'like', `%${email.replace(/[%_\\]/g, '_')}%`).execute();
    const ids = candidates.filter((c) => {
      try {
        return String((JSON.parse(c.payload) as { to?: string }).to ?? '').toLowerCase() === email.toLowerCase();
      } catch {
        return false;
      }
    }).map((c) => c.id);
    for (const part of chunks(ids, 500)) await this.db.deleteFrom('outbox').where('id', 'in', part).execute();
    await forgetUndeliverable(this.db, email);
  }

  async setRetention(letterId: string, days: number | undefined): Promise<void> {
    if (days === undefined) {
      await this.db.deleteFrom('letter_retention').where('letter_id', '=', letterId).execute();
      return;
    }
    await this.db.insertInto('letter_retention').values({ letter_id: letterId, days }).onConflict((oc) => oc.column('letter_id').doUpdateSet({ days })).execute();
  }

  async retentions(): Promise<{ letterId: string; days: number }[]> {
    const rows = await this.db.selectFrom('letter_retention').selectAll().orderBy('letter_id').execute();
    return rows.map((r) => ({ letterId: r.letter_id, days: Number(r.days) }));
  }

  async lockSequencer(): Promise<boolean> {
    if (this.dialect === 'postgres') {
      const got = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${sql.lit(SEQUENCER_LOCK_KEY)}) as ok`.execute(this.db);
      return Boolean(got.rows[0]?.ok);
    }
    await this.db.updateTable('log_lock').set((eb) => ({ n: eb('n', '+', 1) })).where('id', '=', 1).execute();
    return true;
  }

  async state(): Promise<LogState | undefined> {
    const r = await this.db.selectFrom('log_state').selectAll().where('id', '=', 1).executeTakeFirst();
    return r && { size: Number(r.size), root: toU8(r.root), checkpoint: r.checkpoint, vkey: r.vkey, updatedAt: r.updated_at };
  }

  async pending(limit: number): Promise<QueuedEntry[]> {
    const rows = await this.db.selectFrom('log_entries').selectAll().where('idx', 'is', null).orderBy('id').limit(limit).execute();
    return rows.map(toQueued);
  }

  async entriesById(ids: number[]): Promise<QueuedEntry[]> {
    const out: QueuedEntry[] = [];
    for (const part of chunks([...new Set(ids)], 500)) {
      out.push(...(await this.db.selectFrom('log_entries').selectAll().where('id', 'in', part).execute()).map(toQueued));
    }
    return out;
  }

  async recordSequenced(rows: { id: number; index: number; bytes: Uint8Array }[]): Promise<void> {
    // One statement per 300 rows (an UPDATE … FROM a VALUES list, in both dialects): the batch is recorded quickly.
    const pg = this.dialect === 'postgres';
    for (const part of chunks(rows, 300)) {
      const values = sql.join(
        part.map((r) => (pg ? sql`(cast(${r.id} as bigint), cast(${r.index} as bigint), cast(${toBuf(r.bytes)} as bytea))` : sql`(${r.id}, ${r.index}, ${toBuf(r.bytes)})`)),
      );
      // PostgreSQL joins the VALUES list by hash; SQLite would scan the table per row of it, so there the rows are
      // found through the primary key (id IN v) and their values read from the short list.
      const res = pg
        ? await sql`with v(id, idx, bytes) as (values ${values})
            update log_entries set idx = v.idx, bytes = v.bytes from v where log_entries.id = v.id and log_entries.idx is null`.execute(this.db)
        : await sql`with v(id, idx, bytes) as (values ${values})
            update log_entries set idx = (select v.idx from v where v.id = log_entries.id), bytes = (select v.bytes from v where v.id = log_entries.id)
            where log_entries.id in (select id from v) and log_entries.idx is null`.execute(this.db);
      // Fencing: rows another sequencer recorded meanwhile are not overwritten, and this batch is abandoned.
      if (Number(res.numAffectedRows ?? BigInt(part.length)) !== part.length) throw new Error('log entries were sequenced by another process');
    }
  }

  async putTiles(tiles: StoredTile[]): Promise<void> {
    for (const part of chunks(tiles, 200)) {
      await this.db
        .insertInto('log_tiles')
        .values(part.map((t) => ({ level: t.level, idx: t.index, width: t.width, data: toBuf(t.data) })))
        .onConflict((oc) =>
          oc
            .columns(['level', 'idx'])
            .doUpdateSet((eb) => ({ width: eb.ref('excluded.width'), data: eb.ref('excluded.data') }))
            .where(sql<boolean>`excluded.width >= log_tiles.width`),
        )
        .execute();
    }
  }

  async putState(s: LogState, previousSize: number | null): Promise<boolean> {
    const row = { size: s.size, root: toBuf(s.root), checkpoint: s.checkpoint, vkey: s.vkey, updated_at: s.updatedAt };
    if (previousSize === null) {
      const r = await this.db.insertInto('log_state').values({ id: 1, ...row }).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    }
    const r = await this.db.updateTable('log_state').set(row).where('id', '=', 1).where('size', '=', previousSize).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  private async tileRow(level: number, index: number): Promise<{ width: number; data: Uint8Array } | undefined> {
    const r = (await TILE_ROW.execute<{ width: number; data: Bytes }>(this.db, this.dialect, { level, idx: index })).rows[0];
    return r && { width: Number(r.width), data: view(r.data) };
  }

  async readTile(level: number, index: number, width: number): Promise<Uint8Array | undefined> {
    const r = await this.tileRow(level, index);
    // A stored tile is the widest written so far; a narrower tile is its prefix (tiles only ever grow).
    if (!r || r.width < width) return undefined;
    return r.data.subarray(0, width * 32);
  }

  async readBundle(index: number, width: number): Promise<Uint8Array | undefined> {
    const r = await this.tileRow(-1, index);
    if (!r || r.width < width) return undefined;
    return r.width === width ? r.data : bundlePrefix(r.data, width);
  }

  async publicOpenings(from: number, to: number): Promise<PublicOpening[]> {
    if (!(to > from)) return [];
    const res = await PUBLIC_OPENINGS.execute<{ idx: number | string; name: string; name_opening: Bytes | null; erased_at: string | null }>(
      this.db, this.dialect, { from, to, kind: 'sig', status: 'confirmed', visibility: 'public' });
    return res.rows.map((r) => {
      const erased = r.erased_at !== null || !r.name_opening;
      return erased ? { index: Number(r.idx), name: '' } : { index: Number(r.idx), name: r.name, nameOpening: view(r.name_opening!) };
    });
  }

  async repeatedSignatures(from: number, to: number): Promise<{ index: number; of: number }[]> {
    if (!(to > from)) return [];
    const r = await sql<{ idx: number | string; of: number | string }>`select e.idx as idx, p.idx as of
      from log_entries e
      join log_entries p on p.signature_id = e.signature_id and p.kind = 'sig' and p.idx = (
        select max(q.idx) from log_entries q where q.signature_id = e.signature_id and q.kind = 'sig' and q.idx < e.idx)
      where e.kind = 'sig' and e.signature_id is not null and e.idx >= ${from} and e.idx < ${to}
        and not exists (select 1 from log_entries c where c.ref_entry_id = p.id and c.kind in ('withdraw', 'remove') and c.idx < e.idx)
      order by e.idx`.execute(this.db);
    return r.rows.map((x) => ({ index: Number(x.idx), of: Number(x.of) }));
  }

  async entryAt(index: number): Promise<Uint8Array | undefined> {
    const r = await this.db.selectFrom('log_entries').select('bytes').where('idx', '=', index).executeTakeFirst();
    return r?.bytes ? toU8(r.bytes) : undefined;
  }

  async pendingCount(): Promise<number> {
    const r = await this.db.selectFrom('log_entries').select((eb) => eb.fn.countAll().as('n')).where('idx', 'is', null).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async erasable(letterId: string, cutoff: string, allStatuses: boolean, limit: number): Promise<string[]> {
    let q = this.db
      .selectFrom('signatures')
      .select('id')
      .where('letter_id', '=', letterId)
      .where('email_key', 'not like', 'erased:%');
    q = allStatuses
      ? q
      : q.where('status', 'in', ['withdrawn', 'invalidated']).where((eb) => eb(eb.fn.coalesce('withdrawn_at', 'updated_at'), '<', cutoff));
    return (await q.orderBy('id').limit(limit).execute()).map((r) => r.id);
  }
}
