/** Table types for Kysely. The same tables on SQLite and PostgreSQL: text ids, ISO-text timestamps, 0/1 flags. */
import type { ColumnType, Generated } from 'kysely';

export interface LettersTable {
  id: string;
  slug: string;
  addressee_name: string;
  addressee_title: string | null;
  default_lang: string;
  goal: number | null;
  state: string;
  text_version: number;
  imported: number;
  created_at: string;
  updated_at: string;
  opened_at: string | null;
  closed_at: string | null;
}

export interface LetterTextsTable {
  letter_id: string;
  text_version: number;
  lang: string;
  position: number;
  title: string;
  body: string;
  statement: string | null;
  addressee_name: string | null;
  addressee_title: string | null;
}

export interface LetterOrganisersTable {
  letter_id: string;
  email: string;
}

export interface SignaturesTable {
  id: string;
  letter_id: string;
  email: string;
  email_key: string;
  name: string;
  name_alt: string | null;
  title: string | null;
  country: string | null;
  visibility: string;
  lang: string;
  consent_updates: number;
  status: string;
  text_version: number;
  token_hash: string | null;
  token_expires_at: string | null;
  mails_sent: number;
  imported: number;
  created_at: string;
  updated_at: string;
  confirmed_at: string | null;
  withdrawn_at: string | null;
  /** Why the signing was held (migration 0019): comma-separated reasons, null when it was not. */
  hold: string | null;
  /** The hashed address prefix the signing came from (migration 0019). */
  source: string | null;
}

export interface OutboxTable {
  id: string;
  kind: string;
  payload: string;
  run_at: string;
  attempts: number;
  locked_until: string | null;
  done_at: string | null;
  last_error: string | null;
  created_at: string;
  /** Set with done_at when the mail failed for good (migration 0014). */
  failed_at: string | null;
}

export interface UndeliverableAddressesTable {
  email: string;
  reason: string;
  failed_at: string;
}

export interface LoginTokensTable {
  token_hash: string;
  email: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface SessionsTable {
  id_hash: string;
  email: string;
  expires_at: string;
  created_at: string;
}

/** Appended by triggers on signatures (one row per change into or out of 'confirmed'); folded by counts.ts. */
export interface CountDeltasTable {
  id: Generated<number>;
  letter_id: string;
  /** '' when the signer gave none. */
  country: string;
  /** First 13 characters of confirmed_at: 2026-01-02T03. */
  hour: string;
  /** 1 when the signature is on the public list. */
  public: number;
  delta: number;
}

export interface LetterCountsTable {
  letter_id: string;
  n: number | string;
  n_public: number | string;
}

export interface LetterCountryCountsTable {
  letter_id: string;
  country: string;
  n: number | string;
}

export interface LetterHourlyCountsTable {
  letter_id: string;
  hour: string;
  n: number | string;
}

// Duplicate review (reviews.ts): the blocking keys of confirmed signatures and the organisers' review queue.

export interface NameKeysTable {
  letter_id: string;
  signature_id: string;
  key: string;
  key_version: ColumnType<number, number | undefined, number>;
}

export interface ReviewsTable {
  id: string;
  letter_id: string;
  signature_id: string;
  other_id: string;
  score: number;
  band: string;
  status: string;
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
}

// The transparency log (log.ts).

/** Binary columns: bytea on PostgreSQL, blob on SQLite. */
export type Bytes = Buffer | Uint8Array;

export interface LogEntriesTable {
  id: number | string;
  kind: string;
  letter: string;
  time: number | string;
  bytes: Bytes | null;
  ref_entry_id: number | string | null;
  reason: string | null;
  signature_id: string | null;
  text_hash: string | null;
  idx: number | string | null;
}

export interface SignatureLogTable {
  signature_id: string;
  letter_id: string;
  entry_id: number | string;
  name_opening: Bytes | null;
  contact_opening: Bytes | null;
  erased_at: string | null;
}

export interface SignerTokensTable {
  token_hash: string;
  signature_id: string;
  purpose: string;
  created_at: string;
}

export interface LetterRetentionTable {
  letter_id: string;
  days: number;
}

export interface LogTilesTable {
  /** -1 for entry bundles. */
  level: number;
  idx: number | string;
  width: number;
  data: Bytes;
}

export interface LogStateTable {
  id: number;
  size: number | string;
  root: Bytes;
  checkpoint: string;
  vkey: string;
  updated_at: string;
}

export interface LogLockTable {
  id: number;
  n: number | string;
}

import type { DeskTables } from './desk.ts';
import type { UpdateTables } from './update-tables.ts';

export interface Database extends DeskTables, UpdateTables {
  letter_targets: LetterTargetsTable;
  deliveries: DeliveriesTable;
  name_keys: NameKeysTable;
  reviews: ReviewsTable;
  log_entries: LogEntriesTable;
  signature_log: SignatureLogTable;
  signer_tokens: SignerTokensTable;
  letter_retention: LetterRetentionTable;
  log_tiles: LogTilesTable;
  log_state: LogStateTable;
  log_lock: LogLockTable;
  letters: LettersTable;
  letter_texts: LetterTextsTable;
  letter_organisers: LetterOrganisersTable;
  signatures: SignaturesTable;
  outbox: OutboxTable;
  undeliverable_addresses: UndeliverableAddressesTable;
  login_tokens: LoginTokensTable;
  sessions: SessionsTable;
  count_deltas: CountDeltasTable;
  letter_counts: LetterCountsTable;
  letter_country_counts: LetterCountryCountsTable;
  letter_hourly_counts: LetterHourlyCountsTable;
}

export type { Generated };

/** 0013: a letter's addressees with an email (private). */
export interface LetterTargetsTable {
  id: string;
  letter_id: string;
  position: number;
  name: string;
  title: string | null;
  email: string;
  lang: string;
}

/** 0013: the letter's PDF mailed to one target; id is its outbox mail's id. */
export interface DeliveriesTable {
  id: string;
  run: string;
  letter_id: string;
  target_id: string;
  status: string;
  error: string | null;
  pdf_sha256: string;
  tree_size: number;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}
