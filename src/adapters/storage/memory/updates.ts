/** In-memory UpdateRepo: the reference for the SQL one (sql/updates.ts). */
import type { UpdateRepo } from '../../../core/ports.ts';
import type { LetterReply, LetterUpdate, Signature } from '../../../core/model.ts';

export interface UpdateState {
  updates: Map<string, LetterUpdate>;
  replies: Map<string, { reply: LetterReply; pdf?: Uint8Array | undefined }>;
}

export const emptyUpdateState = (): UpdateState => ({ updates: new Map(), replies: new Map() });

const clone = <T>(v: T): T => structuredClone(v);

export class MemUpdates implements UpdateRepo {
  constructor(
    private readonly st: () => UpdateState,
    private readonly signatures: () => Map<string, Signature>,
    private readonly tokens: () => Map<string, { signatureId: string; purpose: string }> = () => new Map(),
  ) {}
  async insertUpdate(u: LetterUpdate) {
    for (const x of this.st().updates.values()) if (x.letterId === u.letterId && x.key === u.key) return false;
    this.st().updates.set(u.id, clone(u));
    return true;
  }
  async updateByKey(letterId: string, key: string) {
    for (const x of this.st().updates.values()) if (x.letterId === letterId && x.key === key) return clone(x);
    return undefined;
  }
  async updates(letterId: string) {
    return [...this.st().updates.values()].filter((x) => x.letterId === letterId).sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : -1)).map(clone);
  }
  async recipients(letterId: string) {
    return [...this.signatures().values()]
      .filter((s) => s.letterId === letterId && s.status === 'confirmed' && s.consentUpdates && s.email !== '')
      .sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.id < b.id ? -1 : 1))
      .map((s) => ({ signatureId: s.id, email: s.email, lang: s.lang }));
  }
  async recipientCount(letterId: string) {
    return (await this.recipients(letterId)).length;
  }
  async recipientsAfter(letterId: string, after: string | undefined, limit: number) {
    return [...this.signatures().values()]
      .filter((s) => s.letterId === letterId && s.status === 'confirmed' && s.consentUpdates && s.email !== '' && (after === undefined || s.id > after))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit)
      .map((s) => ({ signatureId: s.id, email: s.email, lang: s.lang }));
  }
  async updateById(id: string) {
    const x = this.st().updates.get(id);
    return x && clone(x);
  }
  async advanceFanout(updateId: string, from: string | undefined, to: string | undefined, done: boolean, at: string) {
    const x = this.st().updates.get(updateId);
    if (!x || x.fanoutDone || x.fanoutAfter !== from) return false;
    x.fanoutAfter = to;
    x.fanoutDone = done;
    x.fanoutAt = at;
    return true;
  }
  async unfinishedFanouts(before: string, limit: number) {
    return [...this.st().updates.values()]
      .filter((x) => !x.fanoutDone && (x.fanoutAt ?? x.createdAt) <= before)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
      .slice(0, limit)
      .map(clone);
  }
  async unsubscribed(letterId: string) {
    const holders = new Set([...this.tokens().values()].filter((t) => t.purpose === 'unsubscribe').map((t) => t.signatureId));
    return [...this.signatures().values()].filter((s) => s.letterId === letterId && s.status === 'confirmed' && !s.consentUpdates && s.email !== '' && holders.has(s.id)).length;
  }
  async unsubscribe(signatureId: string, at: string) {
    const s = this.signatures().get(signatureId);
    if (!s?.consentUpdates) return false;
    s.consentUpdates = false;
    s.updatedAt = at;
    return true;
  }
  async insertReply(r: LetterReply, pdf?: Uint8Array) {
    if (this.st().replies.has(r.id)) return false;
    this.st().replies.set(r.id, { reply: clone(r), pdf: pdf?.length ? new Uint8Array(pdf) : undefined });
    return true;
  }
  async replies(letterId: string) {
    return [...this.st().replies.values()]
      .map((x) => x.reply)
      .filter((r) => r.letterId === letterId)
      .sort((a, b) => (a.receivedOn !== b.receivedOn ? (a.receivedOn < b.receivedOn ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1))
      .map(clone);
  }
  async replyPdf(letterId: string, replyId: string) {
    const x = this.st().replies.get(replyId);
    return x && x.reply.letterId === letterId && x.pdf ? new Uint8Array(x.pdf) : undefined;
  }
}
