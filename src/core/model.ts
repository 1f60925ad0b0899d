/** The domain's records, as the core and every storage adapter see them. Timestamps are ISO-8601 strings (UTC). */

export type LetterState = 'draft' | 'open' | 'closed';
export type Visibility = 'public' | 'hidden';
/** held: confirmed, but held at signing (core/signatures/hold.ts): not counted, listed or logged until released. */
export type SignatureStatus = 'pending' | 'confirmed' | 'held' | 'withdrawn' | 'invalidated';

export interface Addressee {
  name: string;
  title?: string | undefined;
}

/** One language of a letter's text. */
export interface LetterVersion {
  lang: string;
  title: string;
  /** Markdown; rendered without raw HTML. */
  body: string;
  /** Optional line shown above the sign form, e.g. "I sign this letter". */
  statement?: string | undefined;
  /** The addressee as written in this language (a Persian page names the president in Persian); else the letter's. */
  addressee?: Addressee | undefined;
}

export interface Letter {
  id: string;
  slug: string;
  addressee: Addressee;
  defaultLang: string;
  goal?: number | undefined;
  state: LetterState;
  /** Increases when the text is edited after the first confirmed signature (the text is then frozen). */
  textVersion: number;
  organisers: string[];
  /** Set for letters brought in by `undersigned import`: their signatories were not confirmed by email. */
  imported: boolean;
  createdAt: string;
  updatedAt: string;
  openedAt?: string | undefined;
  closedAt?: string | undefined;
}

export interface LetterWithText extends Letter {
  versions: LetterVersion[];
}

export interface Signature {
  id: string;
  letterId: string;
  /** As typed (trimmed). Private. */
  email: string;
  /** Lower-cased email: one signature per address per letter. Private. */
  emailKey: string;
  name: string;
  nameAlt?: string | undefined;
  title?: string | undefined;
  country?: string | undefined;
  visibility: Visibility;
  lang: string;
  consentUpdates: boolean;
  status: SignatureStatus;
  /** Text version of the letter at the time of confirmation (or of signing, while pending). */
  textVersion: number;
  /** SHA-256 of the current confirmation token; the token itself is only in the email. */
  tokenHash?: string | undefined;
  tokenExpiresAt?: string | undefined;
  /** How many confirmation mails were sent: bounded to stop mail-bombing a victim's address. */
  mailsSent: number;
  createdAt: string;
  updatedAt: string;
  confirmedAt?: string | undefined;
  withdrawnAt?: string | undefined;
  /** Imported signatories were never confirmed by email. */
  imported: boolean;
  /** Why the signing was held (comma-separated HoldReason words, core/signatures/hold.ts); undefined: not held. */
  hold?: string | undefined;
  /** The hashed address prefix the signing came from (organisers group by it); never the address. */
  source?: string | undefined;
}

/** What anyone may see of a signature. */
export interface PublicSignature {
  id: string;
  name: string;
  nameAlt?: string | undefined;
  title?: string | undefined;
  country?: string | undefined;
  confirmedAt: string;
  /** True when an organiser checked the title (vetted); unchecked titles are self-described. */
  titleChecked?: boolean | undefined;
}

export type OutboxKind = 'mail';

export interface OutboxJob {
  /** Idempotency key: a second enqueue with the same id is ignored. */
  id: string;
  kind: OutboxKind;
  payload: OutboxMail;
  runAt: string;
  attempts: number;
  lockedUntil?: string | undefined;
  doneAt?: string | undefined;
  lastError?: string | undefined;
  createdAt: string;
  /** Set (with doneAt) when the mail failed for good: the server refused its recipient. */
  failedAt?: string | undefined;
}

/** An address a mail server refused for good (an SMTP 5xx for the recipient), with the server's reason. */
export interface UndeliverableAddress {
  email: string;
  reason: string;
  failedAt: string;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  lang: string;
  /** Short label used by the dev outbox and logs: 'confirm', 'already-signed', 'login'… */
  template: string;
  /** Files sent with the mail (the letter's PDF to its addressees), base64. */
  attachments?: { filename: string; contentType: string; contentBase64: string }[] | undefined;
  /** Extra header fields (an update's List-Unsubscribe and List-Unsubscribe-Post, RFC 8058). */
  headers?: Record<string, string> | undefined;
}

/** What a confirmation mail says, as `MailTemplates.confirmSignature` takes it (its language is the mail's). */
export interface ConfirmMailParams {
  letterTitle: string;
  name: string;
  link: string;
  expiresAt: string;
  withdrawLink?: string | undefined;
  /** The signer's private "manage my signature" link. */
  manageLink?: string | undefined;
}

/**
 * A mail kept in the outbox as what it says rather than as its text: the worker renders it when it sends it, from
 * exactly these values (taken when the mail was queued, so a later change to the letter's title does not change it).
 * 40 % of the row of the rendered text (about 420 bytes instead of 1,100), and the outbox row is written at every signing.
 */
export interface TemplatedMail {
  to: string;
  lang: string;
  template: 'confirm';
  params: ConfirmMailParams;
  subject?: never;
  text?: never;
}

/** An outbox mail: rendered (older rows, rarer mails) or to be rendered when sent. */
export type OutboxMail = MailMessage | TemplatedMail;

export interface LoginToken {
  tokenHash: string;
  email: string;
  expiresAt: string;
  usedAt?: string | undefined;
  createdAt: string;
}

export interface Session {
  idHash: string;
  email: string;
  expiresAt: string;
  createdAt: string;
}

export type ReviewStatus = 'open' | 'merged' | 'dismissed';

/** A possible duplicate found when a signature was confirmed, waiting for an organiser's decision. */
export interface DuplicateReview {
  id: string;
  letterId: string;
  /** The newer signature (the one whose confirmation found the match). */
  signatureId: string;
  /** The earlier confirmed signature it resembles. */
  otherId: string;
  score: number;
  band: 'likely' | 'review';
  status: ReviewStatus;
  createdAt: string;
  decidedAt?: string | undefined;
  decidedBy?: string | undefined;
}

/** An addressee the letter is delivered to. The email is private: never on a page, in the API or the log. */
export interface LetterTarget {
  id: string;
  letterId: string;
  name: string;
  title?: string | undefined;
  email: string;
  /** The language of the mail the target gets. */
  lang: string;
}

export type DeliveryStatus = 'queued' | 'sent' | 'failed' | 'bounced';

/** The letter's PDF mailed to one target; one delivery (`run`) mails the same PDF to each of its targets. */
export interface Delivery {
  /** Also the id of its outbox mail. */
  id: string;
  run: string;
  letterId: string;
  targetId: string;
  status: DeliveryStatus;
  /** The server's reason, when it failed or bounced. */
  error?: string | undefined;
  /** Base64 SHA-256 of the PDF mailed, and the log tree size it shows. */
  pdfSha256: string;
  treeSize: number;
  createdAt: string;
  updatedAt: string;
  sentAt?: string | undefined;
}

/** One language of an addressee's reply, as the owner typed it (Markdown, kept as typed). */
export interface ReplyText {
  lang: string;
  body: string;
}

/** The addressee's answer, recorded by an owner: shown under the letter, logged (`reply` entry), sent as an update. */
export interface LetterReply {
  id: string;
  letterId: string;
  /** When the answer came (YYYY-MM-DD, as the owner says). */
  receivedOn: string;
  texts: ReplyText[];
  /** Base64 SHA-256 of the reply's canonical text (core/updates/reply.ts), as logged. */
  textSha256: string;
  /** Base64 SHA-256 of the uploaded PDF, when there is one. */
  pdfSha256?: string | undefined;
  createdAt: string;
  /** The owner who recorded it (private: the desk's audit trail, never public). */
  createdBy?: string | undefined;
}

export type UpdateKind = 'update' | 'reply' | 'milestone';

/** An update mailed to a letter's consenting confirmed signers, each in their language. */
export interface LetterUpdate {
  id: string;
  letterId: string;
  /** What makes a repeat the same update (a form's nonce, an Idempotency-Key, or the content's hash): one per letter. */
  key: string;
  kind: UpdateKind;
  /** Language → text; the letter's default language is always there. */
  subject: Record<string, string>;
  body: Record<string, string>;
  replyId?: string | undefined;
  /** How many signers it was queued for (counted when the update was stored). */
  recipients: number;
  createdAt: string;
  createdBy?: string | undefined;
  /**
   * The fan-out's progress (steps/updates.ts): the last signature id whose mail is queued (recipients go in id
   * order), whether every recipient's is, and when the last batch committed.
   */
  fanoutAfter?: string | undefined;
  fanoutDone: boolean;
  fanoutAt?: string | undefined;
}

/** A signer an update goes to: confirmed, opted in, not withdrawn, removed, unsubscribed or erased. */
export interface UpdateRecipient {
  signatureId: string;
  email: string;
  lang: string;
}
