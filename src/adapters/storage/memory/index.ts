/**
 * In-memory store: for unit tests of use-cases and as the reference the contract suite is written against.
 * Transactions run one at a time and roll back by restoring a snapshot taken when they start.
 */
import type { AuthRepo, FirstSignature, LetterListFilter, LetterRepo, LetterStats, OutboxRepo, OutboxStats, PublicChange, SignatureRepo, Store, StoreTx, ReviewRepo } from '../../../core/ports.ts';
import { MemReviews, type ReviewState } from './reviews.ts';
import { MemDesk, emptyDeskState, type DeskState } from './desk.ts';
import { insertFirstSignatureSteps } from '../first-signature.ts';
import { MemLog, emptyLogState, type MemLogState } from './log.ts';
import type { LogRepo } from '../../../core/log-ports.ts';
import type { DeliveryRepo, UpdateRepo } from '../../../core/ports.ts';
import { MemDeliveries, emptyDeliveryState, type DeliveryState } from './deliveries.ts';
import { MemUpdates, emptyUpdateState, type UpdateState } from './updates.ts';
import type {
  Letter, LetterVersion, LetterWithText, LoginToken, OutboxJob, PublicSignature, Session, Signature, UndeliverableAddress,
} from '../../../core/model.ts';

interface State {
  letters: Map<string, Letter>;
  texts: Map<string, LetterVersion[]>; // key: letterId#textVersion
  signatures: Map<string, Signature>;
  outbox: Map<string, OutboxJob>;
  /** Refused addresses in lower case. */
  undeliverable: Map<string, UndeliverableAddress>;
  loginTokens: Map<string, LoginToken>;
  sessions: Map<string, Session>;
  nameKeys: ReviewState['nameKeys'];
  reviews: ReviewState['reviews'];
  log: MemLogState;
  desk: DeskState;
  deliveries: DeliveryState;
  updates: UpdateState;
}

const clone = <T>(v: T): T => structuredClone(v);

function emptyState(): State {
  return { letters: new Map(), texts: new Map(), signatures: new Map(), outbox: new Map(), undeliverable: new Map(), loginTokens: new Map(), sessions: new Map(), nameKeys: new Map(), reviews: new Map(), log: emptyLogState(), desk: emptyDeskState(), deliveries: emptyDeliveryState(), updates: emptyUpdateState() };
}

export class MemoryStore implements Store {
  private s: State = emptyState();
  private queue: Promise<unknown> = Promise.resolve();

  readonly letters: LetterRepo;
  readonly signatures: SignatureRepo;
  readonly outbox: OutboxRepo;
  readonly auth: AuthRepo;
  readonly reviews: ReviewRepo;
  readonly log: LogRepo;
  readonly desk: MemDesk;
  readonly deliveries: DeliveryRepo;
  readonly updates: UpdateRepo;

  constructor() {
    const st = () => this.s;
    this.desk = new MemDesk(st);
    this.deliveries = new MemDeliveries(() => this.s.deliveries);
    this.updates = new MemUpdates(() => this.s.updates, () => this.s.signatures, () => this.s.log.tokens);
    this.log = new MemLog(st);
    this.reviews = new MemReviews(st);
    this.letters = new MemLetters(st);
    this.signatures = new MemSignatures(st);
    this.outbox = new MemOutbox(st);
    this.auth = new MemAuth(st);
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const run = async () => {
      const snapshot = clone(this.s);
      try {
        return await fn(this);
      } catch (e) {
        this.s = snapshot;
        throw e;
      }
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  insertFirstSignature(first: FirstSignature): Promise<boolean> {
    return this.transaction((tx) => insertFirstSignatureSteps(tx, first));
  }

  /** Counts are computed from the signatures on every read here: nothing to fold. */
  async foldCounts(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {}
}

type Get = () => State;

class MemLetters implements LetterRepo {
  constructor(private readonly st: Get) {}
  async insert(letter: Letter, versions: LetterVersion[]) {
    const s = this.st();
    for (const l of s.letters.values()) if (l.slug === letter.slug) throw new Error('UNIQUE constraint failed: letters.slug');
    if (s.letters.has(letter.id)) throw new Error('UNIQUE constraint failed: letters.id');
    s.letters.set(letter.id, clone(letter));
    s.texts.set(`${letter.id}#${letter.textVersion}`, clone(versions));
  }
  async update(letter: Letter) {
    this.st().letters.set(letter.id, clone(letter));
  }
  async updateIfUnchanged(letter: Letter, read: Pick<Letter, 'state' | 'textVersion' | 'updatedAt'>) {
    const cur = this.st().letters.get(letter.id);
    if (!cur || cur.state !== read.state || cur.textVersion !== read.textVersion || cur.updatedAt !== read.updatedAt) return false;
    this.st().letters.set(letter.id, clone(letter));
    return true;
  }
  async putVersions(letterId: string, textVersion: number, versions: LetterVersion[]) {
    this.st().texts.set(`${letterId}#${textVersion}`, clone(versions));
  }
  private withText(l: Letter | undefined): LetterWithText | undefined {
    if (!l) return undefined;
    const versions = (this.st().texts.get(`${l.id}#${l.textVersion}`) ?? []).map((v) => ({ lang: v.lang, title: v.title, body: v.body, statement: v.statement, addressee: v.addressee }));
    return clone({ ...l, organisers: [...l.organisers].sort(), versions });
  }
  async bySlug(slug: string) {
    return this.withText([...this.st().letters.values()].find((l) => l.slug === slug));
  }
  async byId(id: string) {
    return this.withText(this.st().letters.get(id));
  }
  async stateOf(id: string) {
    const l = this.st().letters.get(id);
    return l && { state: l.state, textVersion: l.textVersion, updatedAt: l.updatedAt };
  }
  async list(filter: LetterListFilter = {}) {
    return [...this.st().letters.values()]
      .filter((l) => !filter.state || l.state === filter.state)
      .filter((l) => !filter.organiser || l.organisers.includes(filter.organiser))
      .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? 1 : -1))
      .map((l) => clone({ ...l, organisers: [...l.organisers].sort() }));
  }
}

class MemSignatures implements SignatureRepo {
  constructor(private readonly st: Get) {}
  async insert(sig: Signature) {
    const s = this.st();
    for (const x of s.signatures.values()) if (x.letterId === sig.letterId && x.emailKey === sig.emailKey) return false;
    s.signatures.set(sig.id, clone(sig));
    return true;
  }
  async update(sig: Signature) {
    this.st().signatures.set(sig.id, clone(sig));
  }
  async updateIfUnchanged(sig: Signature, read: Signature) {
    const cur = this.st().signatures.get(sig.id);
    if (!cur || cur.status !== read.status || cur.mailsSent !== read.mailsSent || cur.updatedAt !== read.updatedAt) return false;
    this.st().signatures.set(sig.id, clone(sig));
    return true;
  }
  async byEmail(letterId: string, emailKey: string) {
    const f = [...this.st().signatures.values()].find((x) => x.letterId === letterId && x.emailKey === emailKey);
    return f && clone(f);
  }
  async byTokenHash(tokenHash: string) {
    const f = [...this.st().signatures.values()].find((x) => x.tokenHash === tokenHash);
    return f && clone(f);
  }
  async byId(id: string) {
    const f = this.st().signatures.get(id);
    return f && clone(f);
  }
  async countConfirmed(letterId: string) {
    let n = 0;
    for (const x of this.st().signatures.values()) if (x.letterId === letterId && x.status === 'confirmed') n++;
    return n;
  }
  async countHeld(letterId: string) {
    let n = 0;
    for (const x of this.st().signatures.values()) if (x.letterId === letterId && x.status === 'held') n++;
    return n;
  }
  async listPublic(letterId: string): Promise<PublicSignature[]> {
    return [...this.st().signatures.values()]
      .filter((x) => x.letterId === letterId && x.status === 'confirmed' && x.visibility === 'public')
      .map(toPublic);
  }
  async stats(letterId: string): Promise<LetterStats> {
    const out: LetterStats = { count: 0, publicCount: 0, byCountry: {}, hourly: [] };
    const hours = new Map<string, number>();
    for (const x of this.st().signatures.values()) {
      if (x.letterId !== letterId || x.status !== 'confirmed') continue;
      out.count++;
      if (x.visibility === 'public') out.publicCount++;
      const c = x.country ?? '';
      out.byCountry[c] = (out.byCountry[c] ?? 0) + 1;
      const h = (x.confirmedAt ?? '').slice(0, 13);
      if (h) hours.set(h, (hours.get(h) ?? 0) + 1);
    }
    out.hourly = [...hours].sort(([a], [b]) => (a < b ? -1 : 1)).map(([h, count]) => ({ hour: `${h}:00:00Z`, count }));
    return out;
  }
  async changes(letterId: string, opts: { since?: string | undefined; after?: { updatedAt: string; id: string } | undefined; limit: number }): Promise<PublicChange[]> {
    const { since, after } = opts;
    return [...this.st().signatures.values()]
      .filter((x) => x.letterId === letterId && (since === undefined || x.updatedAt >= since))
      .filter((x) => !after || x.updatedAt > after.updatedAt || (x.updatedAt === after.updatedAt && x.id > after.id))
      .sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, opts.limit)
      .map((x) => ({ sig: toPublic(x), listed: x.status === 'confirmed' && x.visibility === 'public', updatedAt: x.updatedAt }));
  }
}

function toPublic(x: Signature): PublicSignature {
  return { id: x.id, name: x.name, nameAlt: x.nameAlt, title: x.title, country: x.country, confirmedAt: x.confirmedAt ?? '' };
}

class MemOutbox implements OutboxRepo {
  constructor(private readonly st: Get) {}
  async enqueue(job: OutboxJob) {
    const s = this.st();
    if (!s.outbox.has(job.id)) s.outbox.set(job.id, clone(job));
  }
  async claim(now: string, lockedUntil: string, limit: number) {
    const due = [...this.st().outbox.values()]
      .filter((j) => !j.doneAt && j.runAt <= now && (!j.lockedUntil || j.lockedUntil < now))
      .sort((a, b) => (a.runAt < b.runAt ? -1 : a.runAt > b.runAt ? 1 : 0))
      .slice(0, limit);
    for (const j of due) {
      j.lockedUntil = lockedUntil;
      j.attempts += 1;
    }
    return due.map(clone);
  }
  async complete(id: string, doneAt: string) {
    const j = this.st().outbox.get(id);
    // As the SQL store: a sent mail keeps only its address (for erasure), language and template label.
    if (j) Object.assign(j, { doneAt, lockedUntil: undefined, lastError: undefined, payload: { to: j.payload.to, lang: j.payload.lang, template: j.payload.template } as OutboxJob['payload'] });
  }
  async retryLater(id: string, runAt: string, error: string) {
    const j = this.st().outbox.get(id);
    if (j) Object.assign(j, { runAt, lockedUntil: undefined, lastError: error.slice(0, 1000) });
  }
  async fail(id: string, at: string, error: string) {
    const s = this.st();
    const j = s.outbox.get(id);
    if (!j || j.doneAt) return;
    const reason = error.slice(0, 1000);
    const payload = { to: j.payload.to, lang: j.payload.lang, template: j.payload.template } as OutboxJob['payload'];
    Object.assign(j, { doneAt: at, failedAt: at, lockedUntil: undefined, lastError: reason, payload });
    const email = j.payload.to.toLowerCase();
    s.undeliverable.set(email, { email, reason, failedAt: at });
  }
  async stats(now: string): Promise<OutboxStats> {
    const s = this.st();
    const waiting = [...s.outbox.values()].filter((j) => !j.doneAt);
    const retrying = waiting.filter((j) => j.attempts > 0 && (!j.lockedUntil || j.lockedUntil < now)).length;
    const oldest = waiting.reduce<string | undefined>((m, j) => (m === undefined || j.createdAt < m ? j.createdAt : m), undefined);
    return { waiting: waiting.length, retrying, oldestWaitingSince: oldest, undeliverable: s.undeliverable.size };
  }
  async undeliverable(emails: readonly string[]) {
    const s = this.st();
    const found = new Set<UndeliverableAddress>();
    for (const e of emails) {
      const u = s.undeliverable.get(e.toLowerCase());
      if (u) found.add(u);
    }
    return [...found].map(clone);
  }
  async list(opts: { pendingOnly?: boolean; limit?: number } = {}) {
    return [...this.st().outbox.values()]
      .filter((j) => !opts.pendingOnly || !j.doneAt)
      .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? 1 : -1))
      .slice(0, opts.limit ?? 100)
      .map(clone);
  }
}

class MemAuth implements AuthRepo {
  constructor(private readonly st: Get) {}
  async insertLoginToken(t: LoginToken) {
    this.st().loginTokens.set(t.tokenHash, clone(t));
  }
  async loginToken(h: string) {
    const t = this.st().loginTokens.get(h);
    return t && clone(t);
  }
  async markLoginTokenUsed(h: string, usedAt: string) {
    const t = this.st().loginTokens.get(h);
    if (!t || t.usedAt) return false;
    t.usedAt = usedAt;
    return true;
  }
  async insertSession(s: Session) {
    this.st().sessions.set(s.idHash, clone(s));
  }
  async session(h: string) {
    const s = this.st().sessions.get(h);
    return s && clone(s);
  }
  async deleteSession(h: string) {
    this.st().sessions.delete(h);
  }
}
