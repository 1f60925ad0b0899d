/**
 * Rows and records: every mapper between a table's row and the core's record, the null helpers they share, and the
 * list of a signature row's columns. Integer results pg returns as strings (bigint) are always read through Number().
 */
import type { Selectable } from 'kysely';
import type { DuplicateReview, Letter, OutboxJob, ReviewStatus, Signature } from '../../../core/model.ts';
import type { LettersTable, OutboxTable, ReviewsTable, SignaturesTable } from './schema.ts';

export const u = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
export const n = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** Every column of a signature row, for the selects that name them (signatures.ts, first-signatures.ts). */
export const SIGNATURE_COLUMNS = ['id', 'letter_id', 'email', 'email_key', 'name', 'name_alt', 'title', 'country', 'visibility', 'lang', 'consent_updates', 'status',
  'text_version', 'token_hash', 'token_expires_at', 'mails_sent', 'imported', 'created_at', 'updated_at', 'confirmed_at', 'withdrawn_at', 'hold', 'source'] as const satisfies readonly (keyof SignaturesTable)[];

// A column added to the table and not to SIGNATURE_COLUMNS fails to compile here (it would be read as undefined).
const allSignatureColumns: Exclude<keyof SignaturesTable, (typeof SIGNATURE_COLUMNS)[number]> extends never ? true : never = true;
void allSignatureColumns;

export function toLetter(row: Selectable<LettersTable>, organisers: string[]): Letter {
  return {
    id: row.id,
    slug: row.slug,
    addressee: { name: row.addressee_name, title: u(row.addressee_title) },
    defaultLang: row.default_lang,
    goal: row.goal === null ? undefined : Number(row.goal),
    state: row.state as Letter['state'],
    textVersion: Number(row.text_version),
    organisers,
    imported: Number(row.imported) === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    openedAt: u(row.opened_at),
    closedAt: u(row.closed_at),
  };
}

export function letterRow(l: Letter): LettersTable {
  return {
    id: l.id,
    slug: l.slug,
    addressee_name: l.addressee.name,
    addressee_title: n(l.addressee.title),
    default_lang: l.defaultLang,
    goal: n(l.goal),
    state: l.state,
    text_version: l.textVersion,
    imported: l.imported ? 1 : 0,
    created_at: l.createdAt,
    updated_at: l.updatedAt,
    opened_at: n(l.openedAt),
    closed_at: n(l.closedAt),
  };
}

export function toSignature(r: Selectable<SignaturesTable>): Signature {
  return {
    id: r.id,
    letterId: r.letter_id,
    email: r.email,
    emailKey: r.email_key,
    name: r.name,
    nameAlt: u(r.name_alt),
    title: u(r.title),
    country: u(r.country),
    visibility: r.visibility as Signature['visibility'],
    lang: r.lang,
    consentUpdates: Number(r.consent_updates) === 1,
    status: r.status as Signature['status'],
    textVersion: Number(r.text_version),
    tokenHash: u(r.token_hash),
    tokenExpiresAt: u(r.token_expires_at),
    mailsSent: Number(r.mails_sent),
    imported: Number(r.imported) === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    confirmedAt: u(r.confirmed_at),
    withdrawnAt: u(r.withdrawn_at),
    hold: u(r.hold),
    source: u(r.source),
  };
}

export function signatureRow(s: Signature): SignaturesTable {
  return {
    id: s.id,
    letter_id: s.letterId,
    email: s.email,
    email_key: s.emailKey,
    name: s.name,
    name_alt: n(s.nameAlt),
    title: n(s.title),
    country: n(s.country),
    visibility: s.visibility,
    lang: s.lang,
    consent_updates: s.consentUpdates ? 1 : 0,
    status: s.status,
    text_version: s.textVersion,
    token_hash: n(s.tokenHash),
    token_expires_at: n(s.tokenExpiresAt),
    mails_sent: s.mailsSent,
    imported: s.imported ? 1 : 0,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    confirmed_at: n(s.confirmedAt),
    withdrawn_at: n(s.withdrawnAt),
    hold: n(s.hold),
    source: n(s.source),
  };
}

export function toJob(r: Selectable<OutboxTable>): OutboxJob {
  return {
    id: r.id,
    kind: r.kind as OutboxJob['kind'],
    payload: JSON.parse(r.payload),
    runAt: r.run_at,
    attempts: Number(r.attempts),
    lockedUntil: u(r.locked_until),
    doneAt: u(r.done_at),
    lastError: u(r.last_error),
    createdAt: r.created_at,
    failedAt: u(r.failed_at),
  };
}

export function toReview(r: ReviewsTable): DuplicateReview {
  return {
    id: r.id,
    letterId: r.letter_id,
    signatureId: r.signature_id,
    otherId: r.other_id,
    score: Number(r.score),
    band: r.band as DuplicateReview['band'],
    status: r.status as ReviewStatus,
    createdAt: r.created_at,
    decidedAt: u(r.decided_at),
    decidedBy: u(r.decided_by),
  };
}

export function reviewRow(r: DuplicateReview): ReviewsTable {
  return {
    id: r.id,
    letter_id: r.letterId,
    signature_id: r.signatureId,
    other_id: r.otherId,
    score: r.score,
    band: r.band,
    status: r.status,
    created_at: r.createdAt,
    decided_at: r.decidedAt ?? null,
    decided_by: r.decidedBy ?? null,
  };
}

/** `xs` in slices of `size` (statements with one row or parameter per element stay under the drivers' limits). */
export function chunks<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
