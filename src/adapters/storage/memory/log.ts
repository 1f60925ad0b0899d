/** In-memory transparency-log storage: the reference for src/adapters/storage/log.case.ts. */
import type {
  LogRepo, LogState, NewQueuedEntry, PublicOpening, QueuedEntry, Removals, SignatureLog, SignerLogEntry, SignerTokenPurpose, StoredTile,
} from '../../../core/log-ports.ts';
import type { OutboxJob, Signature, UndeliverableAddress } from '../../../core/model.ts';
import { bundlePrefix } from '../sql/log.ts';

export interface MemLogState {
  entries: QueuedEntry[];
  nextId: number;
  signatureLogs: Map<string, SignatureLog>;
  tokens: Map<string, { signatureId: string; purpose: SignerTokenPurpose; createdAt: string }>;
  retention: Map<string, number>;
  tiles: Map<string, StoredTile>;
  state: LogState | undefined;
}

export function emptyLogState(): MemLogState {
  return { entries: [], nextId: 1, signatureLogs: new Map(), tokens: new Map(), retention: new Map(), tiles: new Map(), state: undefined };
}

const clone = <T>(v: T): T => structuredClone(v);

type Get = () => { log: MemLogState; signatures: Map<string, Signature>; outbox: Map<string, OutboxJob>; undeliverable: Map<string, UndeliverableAddress> };

export class MemLog implements LogRepo {
  constructor(private readonly st: Get) {}
  private get s() {
    return this.st().log;
  }

  async enqueue(e: NewQueuedEntry): Promise<number> {
    const id = this.s.nextId++;
    this.s.entries.push(clone({ ...e, id, index: undefined }));
    return id;
  }
  async putSignatureLog(r: SignatureLog) {
    const { logIndex: _i, ...rest } = r;
    this.s.signatureLogs.set(r.signatureId, clone(rest));
  }
  private withIndex(r: SignatureLog): SignatureLog {
    const e = this.s.entries.find((x) => x.id === r.entryId);
    return clone({ ...r, logIndex: e?.index });
  }
  async signatureLog(id: string) {
    const r = this.s.signatureLogs.get(id);
    return r && this.withIndex(r);
  }
  async signatureLogs(ids: string[]) {
    const out = new Map<string, SignatureLog>();
    for (const id of ids) {
      const r = this.s.signatureLogs.get(id);
      if (r) out.set(id, this.withIndex(r));
    }
    return out;
  }
  async eraseSignatureLog(id: string, at: string) {
    const r = this.s.signatureLogs.get(id);
    if (r) this.s.signatureLogs.set(id, { ...r, nameOpening: undefined, contactOpening: undefined, erasedAt: at });
  }
  async unlogged(letterId: string, limit: number) {
    return [...this.st().signatures.values()]
      .filter((x) => x.letterId === letterId && x.status === 'confirmed' && !this.s.signatureLogs.has(x.id))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map(clone);
  }
  async textHashes(letter: string) {
    return new Set(this.s.entries.filter((e) => e.letter === letter && e.kind === 'letter' && e.textHash).map((e) => e.textHash!));
  }
  async removals(letter: string): Promise<Removals> {
    const out: Removals = { withdrawn: 0, removed: { signer: 0, duplicate: 0, fraud: 0, legal: 0 } };
    const cancelled = new Set<number | undefined>();
    for (const e of [...this.s.entries].sort((a, b) => a.id - b.id)) {
      if (e.letter !== letter || (e.kind !== 'withdraw' && e.kind !== 'remove')) continue;
      // Each signature's first cancellation only (§7.8).
      if (cancelled.has(e.refEntryId)) continue;
      cancelled.add(e.refEntryId);
      if (e.kind === 'withdraw') out.withdrawn++;
      else if (e.kind === 'remove' && e.reason) out.removed[e.reason]++;
    }
    return out;
  }
  async putSignerToken(tokenHash: string, signatureId: string, purpose: SignerTokenPurpose, createdAt: string) {
    if (!this.s.tokens.has(tokenHash)) this.s.tokens.set(tokenHash, { signatureId, purpose, createdAt });
  }
  async signerToken(tokenHash: string) {
    const t = this.s.tokens.get(tokenHash);
    return t && { signatureId: t.signatureId, purpose: t.purpose };
  }
  async entriesOfSignature(signatureId: string): Promise<SignerLogEntry[]> {
    return this.s.entries
      .filter((e) => e.signatureId === signatureId && (e.kind === 'sig' || e.kind === 'withdraw' || e.kind === 'remove'))
      .sort((a, b) => a.id - b.id)
      .map((e) => ({ kind: e.kind as SignerLogEntry['kind'], index: e.index, time: e.time, reason: e.reason }));
  }
  async forgetSigner(signatureId: string, email: string) {
    for (const [k, v] of this.s.tokens) if (v.signatureId === signatureId) this.s.tokens.delete(k);
    if (!email) return;
    const outbox = this.st().outbox;
    for (const [k, j] of outbox) if (j.payload.to.toLowerCase() === email.toLowerCase()) outbox.delete(k);
    this.st().undeliverable.delete(email.toLowerCase());
  }
  async setRetention(letterId: string, days: number | undefined) {
    if (days === undefined) this.s.retention.delete(letterId);
    else this.s.retention.set(letterId, days);
  }
  async retentions() {
    return [...this.s.retention].sort(([a], [b]) => (a < b ? -1 : 1)).map(([letterId, days]) => ({ letterId, days }));
  }
  async erasable(letterId: string, cutoff: string, allStatuses: boolean, limit: number) {
    return [...this.st().signatures.values()]
      .filter((x) => x.letterId === letterId && !x.emailKey.startsWith('erased:'))
      .filter((x) => allStatuses || ((x.status === 'withdrawn' || x.status === 'invalidated') && (x.withdrawnAt ?? x.updatedAt) < cutoff))
      .map((x) => x.id)
      .sort()
      .slice(0, limit);
  }
  async lockSequencer() {
    return true;
  }
  async state() {
    return this.s.state && clone(this.s.state);
  }
  async pending(limit: number) {
    return this.s.entries.filter((e) => e.index === undefined).slice(0, limit).map(clone);
  }
  async entriesById(ids: number[]) {
    const want = new Set(ids);
    return this.s.entries.filter((e) => want.has(e.id)).map(clone);
  }
  async recordSequenced(rows: { id: number; index: number; bytes: Uint8Array }[]) {
    const byId = new Map(this.s.entries.map((e) => [e.id, e]));
    const used = new Set(this.s.entries.filter((e) => e.index !== undefined).map((e) => e.index));
    for (const r of rows) {
      const e = byId.get(r.id);
      if (!e || e.index !== undefined || used.has(r.index)) throw new Error('log entries were sequenced by another process');
      e.index = r.index;
      e.bytes = new Uint8Array(r.bytes);
      used.add(r.index);
    }
  }
  async putTiles(tiles: StoredTile[]) {
    for (const t of tiles) {
      const k = `${t.level}/${t.index}`;
      const old = this.s.tiles.get(k);
      if (!old || t.width >= old.width) this.s.tiles.set(k, { ...t, data: new Uint8Array(t.data) });
    }
  }
  async putState(st: LogState, previousSize: number | null) {
    const cur = this.s.state;
    if (previousSize === null ? cur !== undefined : cur?.size !== previousSize) return false;
    this.s.state = clone(st);
    return true;
  }
  async readTile(level: number, index: number, width: number) {
    const t = this.s.tiles.get(`${level}/${index}`);
    return t && t.width >= width ? t.data.slice(0, width * 32) : undefined;
  }
  async readBundle(index: number, width: number) {
    const t = this.s.tiles.get(`-1/${index}`);
    if (!t || t.width < width) return undefined;
    return t.width === width ? t.data.slice() : bundlePrefix(t.data, width)?.slice();
  }
  async publicOpenings(from: number, to: number): Promise<PublicOpening[]> {
    const byId = new Map(this.s.entries.map((e) => [e.id, e]));
    const out: PublicOpening[] = [];
    for (const r of this.s.signatureLogs.values()) {
      const e = byId.get(r.entryId);
      if (e?.kind !== 'sig' || e.index === undefined || e.index < from || e.index >= to) continue;
      const sig = this.st().signatures.get(r.signatureId);
      if (sig?.status !== 'confirmed' || sig.visibility !== 'public') continue;
      const erased = r.erasedAt !== undefined || !r.nameOpening;
      out.push(erased ? { index: e.index, name: '' } : { index: e.index, name: sig.name, nameOpening: new Uint8Array(r.nameOpening!) });
    }
    return out.sort((a, b) => a.index - b.index);
  }
  async repeatedSignatures(from: number, to: number) {
    const sequenced = this.s.entries.filter((e) => e.index !== undefined).sort((a, b) => a.index! - b.index!);
    const out: { index: number; of: number }[] = [];
    for (const e of sequenced) {
      if (e.kind !== 'sig' || !e.signatureId || e.index! < from || e.index! >= to) continue;
      const prev = sequenced.filter((p) => p.kind === 'sig' && p.signatureId === e.signatureId && p.index! < e.index!).at(-1);
      if (!prev) continue;
      const cancelled = sequenced.some((c) => (c.kind === 'withdraw' || c.kind === 'remove') && c.refEntryId === prev.id && c.index! < e.index!);
      if (!cancelled) out.push({ index: e.index!, of: prev.index! });
    }
    return out;
  }
  async entryAt(index: number) {
    const e = this.s.entries.find((x) => x.index === index);
    return e?.bytes && new Uint8Array(e.bytes);
  }
  async pendingCount() {
    return this.s.entries.filter((e) => e.index === undefined).length;
  }
}
