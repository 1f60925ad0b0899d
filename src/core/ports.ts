/**
 * Ports: what the core and the use-cases need from the outside world. Each port has one contract suite that
 * every adapter passes (src/adapters/storage/store.case.ts for the store, run by store.contract.test.ts).
 */
import type {
  Letter, LetterVersion, LetterWithText, LetterState, MailMessage, OutboxJob, PublicSignature, Signature,
  LoginToken, Session, DuplicateReview, ReviewStatus, UndeliverableAddress, LetterTarget, Delivery, DeliveryStatus,
  LetterReply, LetterUpdate, UpdateRecipient,
} from './model.ts';
import type { LogRepo, SignerTokenPurpose } from './log-ports.ts';
import type { ApiToken, ApprovalStatus, AuditEntry, InstanceAdmin, OrganiserApproval } from './organisers/policy.ts';
import type { AddedSignature, AddedSource, SignatureImport } from './organisers/signature-rows.ts';

export interface Clock {
  now(): Date;
}

/** Randomness and one-way hashing of secrets, injected so that the core stays pure and tests stay repeatable. */
export interface Secrets {
  /** A new unique record id (sortable by creation time is welcome, not required). */
  newId(): string;
  /** A new unguessable token for links (≥ 128 bits, URL-safe). */
  newToken(): string;
  /** One-way hash of a token, as stored. */
  hashToken(token: string): string;
}

export interface LetterListFilter {
  state?: LetterState | undefined;
  organiser?: string | undefined;
}

export interface LetterStateRow {
  state: LetterState;
  textVersion: number;
  updatedAt: string;
}

export interface LetterRepo {
  insert(letter: Letter, versions: LetterVersion[]): Promise<void>;
  /** Replaces the whole letter row (state, addressee, goal, textVersion…). */
  update(letter: Letter): Promise<void>;
  /**
   * Replaces the letter row (and its organisers) only if its state, text version and updatedAt are still those of
   * `read`: false, changing nothing, when another transaction changed it meanwhile (two publishings at once must
   * not both queue the letter's entries).
   */
  updateIfUnchanged(letter: Letter, read: Pick<Letter, 'state' | 'textVersion' | 'updatedAt'>): Promise<boolean>;
  /** Writes the texts of one text version, replacing what that text version had. */
  putVersions(letterId: string, textVersion: number, versions: LetterVersion[]): Promise<void>;
  bySlug(slug: string): Promise<LetterWithText | undefined>;
  byId(id: string): Promise<LetterWithText | undefined>;
  /**
   * The letter's state, text version and last change, by id: one small row, for the check a signing makes inside
   * its transaction when it knows the rest of the letter from a cache.
   */
  stateOf(id: string): Promise<LetterStateRow | undefined>;
  list(filter?: LetterListFilter): Promise<Letter[]>;
}

/** Counts of a letter's confirmed signatures (public and hidden), exact at the moment of reading. */
export interface LetterStats {
  count: number;
  /** Of which on the public list. */
  publicCount: number;
  /** ISO 3166-1 alpha-2 → confirmed signatures; signatures without a country are under ''. */
  byCountry: Record<string, number>;
  /** Confirmed signatures by the hour they were confirmed (hour: 2026-01-02T03:00:00Z), oldest first, no empty hours. */
  hourly: { hour: string; count: number }[];
}

/** A signature row that changed, as the public list's incremental refresh needs it. */
export interface PublicChange {
  sig: PublicSignature;
  /** Confirmed and public now: on the list. Otherwise it must leave the list if it was there. */
  listed: boolean;
  updatedAt: string;
}

export interface SignatureRepo {
  /** Inserts; returns false (and changes nothing) when the letter already has a signature for emailKey. */
  insert(sig: Signature): Promise<boolean>;
  update(sig: Signature): Promise<void>;
  /**
   * Replaces the row only if its status, mailsSent and updatedAt are still those of `read` (the row as read): false,
   * changing nothing, when another transaction changed it meanwhile. For read-then-write decisions under concurrency
   * (PostgreSQL at READ COMMITTED): the caller reads again and decides again.
   */
  updateIfUnchanged(sig: Signature, read: Signature): Promise<boolean>;
  byEmail(letterId: string, emailKey: string): Promise<Signature | undefined>;
  byTokenHash(tokenHash: string): Promise<Signature | undefined>;
  byId(id: string): Promise<Signature | undefined>;
  /** Confirmed signatures, public and hidden. */
  countConfirmed(letterId: string): Promise<number>;
  /** Signatures confirmed and held for a check (status 'held'): how many wait for an organiser. */
  countHeld(letterId: string): Promise<number>;
  /** Confirmed and public: what the list shows. Unsorted. */
  listPublic(letterId: string): Promise<PublicSignature[]>;
  /** Count, public count, per country and per hour; exact (docs/decisions/0002-counts.md). */
  stats(letterId: string): Promise<LetterStats>;
  /**
   * Signatures of the letter (any status) whose updatedAt ≥ since, ordered by (updatedAt, id), after the cursor,
   * at most limit. Without since: every row, for a full rebuild.
   */
  changes(letterId: string, opts: { since?: string | undefined; after?: { updatedAt: string; id: string } | undefined; limit: number }): Promise<PublicChange[]>;
}

export interface OutboxRepo {
  /** Ignored when a job with the same id exists (idempotent enqueue). */
  enqueue(job: OutboxJob): Promise<void>;
  /**
   * Claims up to `limit` due jobs (runAt ≤ now, not done, lease expired) by setting lockedUntil and
   * incrementing attempts. Two workers never claim the same job while its lease runs.
   */
  claim(now: string, lockedUntil: string, limit: number): Promise<OutboxJob[]>;
  complete(id: string, doneAt: string): Promise<void>;
  /** Records a failure and when to try again. */
  retryLater(id: string, runAt: string, error: string): Promise<void>;
  /**
   * Ends a job that failed for good (MailRejected): never tried again, its links dropped as a sent mail's are, and
   * its address recorded as undeliverable with `error`. A job already done is left as it is.
   */
  fail(id: string, at: string, error: string): Promise<void>;
  /** What waits to be sent, what keeps failing, how many addresses are undeliverable. */
  stats(now: string): Promise<OutboxStats>;
  /** Which of these addresses (compared in lower case) were refused for good. */
  undeliverable(emails: readonly string[]): Promise<UndeliverableAddress[]>;
  list(opts?: { pendingOnly?: boolean; limit?: number }): Promise<OutboxJob[]>;
}

export interface OutboxStats {
  /** Mails not yet sent (due, leased or waiting for their retry). */
  waiting: number;
  /** Of those, how many failed at least once and wait for their next try. */
  retrying: number;
  /** When the oldest waiting mail was queued. */
  oldestWaitingSince: string | undefined;
  undeliverable: number;
}

export interface AuthRepo {
  insertLoginToken(t: LoginToken): Promise<void>;
  loginToken(tokenHash: string): Promise<LoginToken | undefined>;
  markLoginTokenUsed(tokenHash: string, usedAt: string): Promise<boolean>;
  insertSession(s: Session): Promise<void>;
  session(idHash: string): Promise<Session | undefined>;
  deleteSession(idHash: string): Promise<void>;
}

/** What duplicate scoring reads of a candidate signature. */
export interface DuplicateCandidate {
  id: string;
  name: string;
  nameAlt?: string | undefined;
}

/** Blocking keys of confirmed signatures and the organisers' duplicate reviews. */
export interface ReviewRepo {
  /** Replaces the blocking keys of one signature, made by version `version` of the key function (default 1). */
  putKeys(letterId: string, signatureId: string, keys: string[], version?: number): Promise<void>;
  /**
   * Signatures (with their letter) having keys older than `version`, at most limit, by signature id. Keys not yet
   * scored (a negative version, `unscored`) are not stale: the duplicate check of their confirmation is still due.
   */
  staleKeys(version: number, limit: number): Promise<Array<{ letterId: string; signatureId: string }>>;
  /**
   * Signatures whose keys were written at confirmation and not yet scored for duplicates (stored with the version
   * negated: use-cases/steps/flag-duplicates.ts), at most limit, by signature id.
   */
  unscored(limit: number): Promise<Array<{ letterId: string; signatureId: string }>>;
  /** Which of these signatures have keys not yet scored. */
  unscoredAmong(signatureIds: string[]): Promise<Set<string>>;
  /**
   * Marks one signature's keys as scored (the negated version made positive again). Conditional: true for the one
   * call that changed them, false when they were scored already (or are gone), so that of two scorers one writes.
   */
  markScored(signatureId: string): Promise<boolean>;
  /** `markScored` for several signatures in one statement: those it changed. */
  markScoredAll(signatureIds: string[]): Promise<Set<string>>;
  /**
   * Inside a transaction: waits until no other transaction scores duplicates on this letter, and holds that until
   * this one ends (PostgreSQL: an advisory lock; SQLite and memory run one writer at a time already).
   */
  lockScoring(letterId: string): Promise<void>;
  /** Ids of the signatures paired with this one in a review, either way round and whatever its state. */
  pairedWith(letterId: string, signatureId: string): Promise<Set<string>>;
  /**
   * Confirmed signatures of the letter sharing any of the keys (at most limit, by id), excluding one id: only the
   * names that duplicate scoring reads (up to 200 per confirmation, so no full rows).
   */
  candidates(letterId: string, keys: string[], excludeId: string, limit: number): Promise<DuplicateCandidate[]>;
  /** `candidates` for several signatures of one letter at once (PostgreSQL: one statement), by signature id. */
  candidatesOfMany(letterId: string, items: { id: string; keys: string[] }[], limit: number): Promise<Map<string, DuplicateCandidate[]>>;
  /** Ignored when a review of the same pair exists. */
  insert(review: DuplicateReview): Promise<void>;
  update(review: DuplicateReview): Promise<void>;
  byId(id: string): Promise<DuplicateReview | undefined>;
  list(letterId: string, status?: ReviewStatus): Promise<DuplicateReview[]>;
}

/** Everything that can be done inside one transaction. */
export interface StoreTx {
  letters: LetterRepo;
  signatures: SignatureRepo;
  outbox: OutboxRepo;
  auth: AuthRepo;
  reviews: ReviewRepo;
  /** The transparency log's queue, openings and published files (log-ports.ts). */
  log: LogRepo;
  /** Organiser roles, instance admins, approvals, API tokens and the organisers' audit trail. */
  desk: DeskRepo;
  /** The letter's addressees and the deliveries of its PDF to them. */
  deliveries: DeliveryRepo;
  /** Updates to signers, unsubscriptions, and the addressee's replies. */
  updates: UpdateRepo;
}

/** What `Store.insertFirstSignature` writes: a new pending signature, its signer token and its confirmation mail. */
export interface FirstSignature {
  /** The letter as the caller read it: the insert happens only if its row still says exactly this. */
  letter: { id: string } & LetterStateRow;
  signature: Signature;
  signerToken: { tokenHash: string; purpose: SignerTokenPurpose; createdAt: string };
  /** The signer's "manage my signature" token, written with the other one. */
  manageToken?: { tokenHash: string; createdAt: string } | undefined;
  job: OutboxJob;
}

export interface Store extends StoreTx {
  /** Runs fn in one transaction: all its writes land together or not at all. */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Signing's common case in one step (on PostgreSQL one statement, one round trip): inserts the signature, its
   * signer token and its outbox job together, only if the letter's row still has `letter`'s state, text version and
   * last change and the letter has no signature for the address (letter, email key). Returns false and changes
   * nothing otherwise; the caller then signs the long way, in a transaction. Resolves once committed.
   */
  insertFirstSignature(first: FirstSignature): Promise<boolean>;
  /**
   * Folds recorded count changes into the aggregates (at most `limit`); returns how many it folded. Stores run it
   * on their own in the background; reads are exact whether it ran or not. Safe to call from several processes.
   */
  foldCounts(limit?: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * A mail the server refused for good: an SMTP 5xx for its recipient (no such mailbox, policy). The outbox does not
 * try it again and records the address as undeliverable. Any other error thrown by `Mailer.send` is temporary.
 */
export class MailRejected extends Error {
  constructor(message: string, readonly responseCode: number) {
    super(message);
    this.name = 'MailRejected';
  }
}

/** Sends one message. Throws on failure so that the outbox retries (MailRejected: never retried). */
export interface Mailer {
  /**
   * How many mails the outbox worker should claim at once: what this mailer sends well within a claim's lease
   * (a slow SMTP server must not let the lease run out mid-batch, or another worker would send the rest again).
   */
  readonly batch: number;
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

/** Words of the mails we send, in the recipient's language. Presentation lives in an adapter. */
export interface MailTemplates {
  /** `withdrawLink`: the signer's separate link to withdraw later (it keeps working after confirmation). */
  confirmSignature(p: { lang: string; letterTitle: string; name: string; link: string; expiresAt: string; withdrawLink?: string | undefined; manageLink?: string | undefined }): Omit<MailMessage, 'to'>;
  alreadySigned(p: { lang: string; letterTitle: string; name: string; letterUrl: string; receiptLink?: string; manageLink?: string | undefined }): Omit<MailMessage, 'to'>;
  /** The paragraph with a signer's private "manage my signature" link, appended to any mail to a signer. */
  manageParagraph(p: { lang: string; link: string }): string;
  organiserLogin(p: { lang: string; link: string; expiresAt: string }): Omit<MailMessage, 'to'>;
  /**
   * An update to one signer: the owners' words, the letter's link, and the signer's own unsubscribe link (also in
   * the List-Unsubscribe header, with List-Unsubscribe-Post for a one-click POST: RFC 8058).
   */
  signerUpdate(p: { lang: string; letterTitle: string; subject: string; body: string; letterUrl: string; unsubscribeUrl: string }): Omit<MailMessage, 'to'>;
  /** The letter to one of its addressees: who signed, where to check it; the PDF is attached by the caller. */
  deliverLetter(p: { lang: string; letterTitle: string; targetName: string; count: number; letterUrl: string; treeSize: number; pdfSha256: string }): Omit<MailMessage, 'to'>;
}

/**
 * What follows a committed change, told by the use-case that made it: the shell wakes its outbox worker and its log
 * sequencer and drops cached reads of the letter. Called only after the transaction committed, never inside it.
 */
export interface Signals {
  /** Mail was queued in the outbox. */
  mailQueued(): void;
  /** Transparency-log entries were queued. */
  logQueued(): void;
  /** A letter, its count or its public list changed. */
  letterChanged(letterId: string): void;
}

/**
 * The organiser's desk: roles on a letter (an organiser is an owner unless marked moderator), instance admins, the
 * approvals of `UNDERSIGNED_ORGANISERS=approval`, API tokens (hashed) and the audit trail. Every write that decides
 * something is conditional and says whether it changed anything, so that of two at once one wins.
 */
export interface DeskRepo {
  /** The letter's organisers marked moderator (the others are owners). */
  moderators(letterId: string): Promise<string[]>;
  /** Marks or unmarks one organiser as moderator. */
  setModerator(letterId: string, email: string, moderator: boolean): Promise<void>;
  /** False when the address is an admin already. */
  addAdmin(admin: InstanceAdmin): Promise<boolean>;
  /** False when the address was not an admin. */
  removeAdmin(email: string): Promise<boolean>;
  isAdmin(email: string): Promise<boolean>;
  admins(): Promise<InstanceAdmin[]>;
  approval(email: string): Promise<OrganiserApproval | undefined>;
  /** Inserts a request; false (changing nothing) when the address has one in any status. */
  insertApproval(a: OrganiserApproval): Promise<boolean>;
  /** Sets the status only if it is one of `from`: false when it was not (already decided by someone else). */
  decideApproval(email: string, from: ApprovalStatus[], to: ApprovalStatus, at: string, by: string): Promise<boolean>;
  approvals(status?: ApprovalStatus): Promise<OrganiserApproval[]>;
  insertToken(t: ApiToken): Promise<void>;
  tokenByHash(tokenHash: string): Promise<ApiToken | undefined>;
  /** Revokes only a token not revoked yet: false otherwise. */
  revokeToken(id: string, at: string): Promise<boolean>;
  tokens(email?: string): Promise<ApiToken[]>;
  addAudit(e: AuditEntry): Promise<void>;
  /** Newest first. */
  audit(letterId: string, limit: number): Promise<AuditEntry[]>;
  /** Every signature of the letter in any status, oldest first (the organisers' table and bulk removal). */
  letterSignatures(letterId: string): Promise<Signature[]>;
  /** Marks (or unmarks) a signature's title as checked by an organiser; false when it was so already. */
  setTitleChecked(letterId: string, signatureId: string, checked: boolean, at: string, by: string): Promise<boolean>;
  /** Ids of the letter's signatures whose title an organiser checked. */
  checkedTitles(letterId: string): Promise<string[]>;
  /**
   * Records an import of rows if the letter has none with the same rows hash (a conditional insert: of concurrent
   * imports of one file exactly one gets true); false otherwise.
   */
  insertImport(imp: SignatureImport): Promise<boolean>;
  /** The import of these rows on this letter, if there was one. */
  importByHash(letterId: string, rowsHash: string): Promise<SignatureImport | undefined>;
  /** Records how an organiser added a signature (paper or imported, and by whom). */
  addSignatureSource(a: AddedSignature): Promise<void>;
  /** The letter's signatures added by organisers, by signature id. */
  signatureSources(letterId: string): Promise<Map<string, AddedSignature>>;
  /**
   * Confirmed signatures not confirmed by email, per source: those recorded by an import, and the signatories of an
   * imported letter (imported, with no record).
   */
  sourceCounts(letterId: string): Promise<Record<AddedSource, number>>;
  /** Whether the letter page shows a "notable signatories" section (checked titles only). */
  showNotable(letterId: string): Promise<boolean>;
  /** Sets that option; false when it was so already. */
  setShowNotable(letterId: string, on: boolean): Promise<boolean>;
}

/** One of our own HTML documents to draw: its markup and the size of the picture (PNG) or paper (PDF, from its CSS). */
export interface RenderInput {
  html: string;
  /** PNG only: the viewport, in CSS pixels. */
  width?: number;
  height?: number;
}

/**
 * Draws our own documents (the letter's print view, share cards) in a headless browser started once and reused.
 * Requests wait in a bounded queue; a full queue is DomainError SERVER_BUSY. Relative URLs in the markup (/assets/…)
 * are served from our own files; nothing is fetched from the network.
 */
export interface DocumentRenderer {
  pdf(doc: RenderInput): Promise<Uint8Array>;
  png(doc: RenderInput & { width: number; height: number }): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A letter's targets (addressees with an email) and the deliveries of its PDF. */
export interface DeliveryRepo {
  /** Replaces the letter's targets (in this order). */
  putTargets(letterId: string, targets: LetterTarget[]): Promise<void>;
  targets(letterId: string): Promise<LetterTarget[]>;
  insert(d: Delivery): Promise<void>;
  /**
   * Sets the status of the delivery whose outbox mail is `id` if it is still queued (the first outcome stands: a mail
   * sent is not failed later by a retry's error); false when it was not queued or does not exist.
   */
  settle(id: string, status: Exclude<DeliveryStatus, 'queued'>, at: string, error?: string): Promise<boolean>;
  /**
   * Marks a sent delivery as bounced with the bounce message (the addressee's server returned it after accepting it):
   * a conditional update from sent, once; false when it was not sent (queued, failed, bounced already) or is unknown.
   * Its sentAt stays (it was sent).
   */
  bounce(id: string, at: string, reason: string): Promise<boolean>;
  /** The letter's deliveries, newest run first, then by target order. */
  byLetter(letterId: string): Promise<Delivery[]>;
}

/** The letter's PDF as the public gets it (every version when `lang` is undefined), with the checkpoint it shows. */
export interface LetterPdfs {
  pdf(letter: LetterWithText, lang?: string): Promise<{ bytes: Uint8Array; sha256: string; meta: { treeSize: number } }>;
}

/**
 * Updates to a letter's signers and the addressee's replies (migration 0017). Sending is idempotent: an update is
 * inserted only if the letter has none with its key, so of two sends at once one queues the mails.
 */
export interface UpdateRepo {
  /** Inserts the update unless the letter has one with the same key: false, changing nothing, then. */
  insertUpdate(u: LetterUpdate): Promise<boolean>;
  updateByKey(letterId: string, key: string): Promise<LetterUpdate | undefined>;
  /** The letter's updates, newest first. */
  updates(letterId: string): Promise<LetterUpdate[]>;
  /** Who an update goes to now: confirmed, opted in (and not unsubscribed since), not erased. Oldest first. */
  recipients(letterId: string): Promise<UpdateRecipient[]>;
  /** How many an update sent now would go to (recipients' length, counted by the database). */
  recipientCount(letterId: string): Promise<number>;
  /** One batch of a fan-out: up to `limit` recipients with a signature id above `after`, in id order. */
  recipientsAfter(letterId: string, after: string | undefined, limit: number): Promise<UpdateRecipient[]>;
  updateById(id: string): Promise<LetterUpdate | undefined>;
  /**
   * Records a batch of the update's fan-out: the cursor moves from `from` to `to` (done when it was the last), only
   * if the fan-out is not done and its cursor is still `from`: of two resumptions at once one records each batch,
   * the other finds it changed (false) and rolls its batch back.
   */
  advanceFanout(updateId: string, from: string | undefined, to: string | undefined, done: boolean, at: string): Promise<boolean>;
  /** Updates whose fan-out is not done and has not moved after `before` (left by a crash): oldest first. */
  unfinishedFanouts(before: string, limit: number): Promise<LetterUpdate[]>;
  /**
   * How many confirmed signers of the letter (not erased) stopped its updates through an update mail's unsubscribe
   * link: their consent is off and they hold an unsubscribe token (only update mails carry one).
   */
  unsubscribed(letterId: string): Promise<number>;
  /** Stops updates to a signature (its consent withdrawn, kept); false when it was not subscribed. */
  unsubscribe(signatureId: string, at: string): Promise<boolean>;
  /** Inserts the reply unless one with its id exists (ids come from the request's key): false, changing nothing, then. */
  insertReply(r: LetterReply, pdf?: Uint8Array): Promise<boolean>;
  /** The letter's replies, newest first (by the date they came, then when recorded). */
  replies(letterId: string): Promise<LetterReply[]>;
  replyPdf(letterId: string, replyId: string): Promise<Uint8Array | undefined>;
}

/**
 * Transliteration of a run of text in a script the names engine has no model for (Cyrillic, Greek, Hebrew, Han,
 * Kana…) to Latin, for matching only (never for display). Implemented by an adapter over a library
 * (src/adapters/translit/any-ascii.ts); installed once at start-up with core/names useTransliterator.
 */
export type Transliterator = (text: string) => string;
