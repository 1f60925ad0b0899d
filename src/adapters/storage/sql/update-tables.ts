/** The tables of updates and replies (migration 0017): schema.ts adds them to the Database; this file imports nothing. */

/** 0017: one update mailed to a letter's consenting signers; (letter_id, update_key) is unique. */
export interface LetterUpdatesTable {
  id: string;
  letter_id: string;
  update_key: string;
  kind: string;
  /** JSON {lang: text}. */
  subject: string;
  body: string;
  reply_id: string | null;
  recipients: number;
  created_at: string;
  created_by: string | null;
  /** 0020: the fan-out's progress: the last signature id queued, 1 once done, when the last batch committed. */
  fanout_after: string | null;
  fanout_done: number;
  fanout_at: string | null;
}

/** 0017: the addressee's reply; texts JSON [{lang, body}], pdf base64. */
export interface LetterRepliesTable {
  id: string;
  letter_id: string;
  received_on: string;
  texts: string;
  text_sha256: string;
  pdf_sha256: string | null;
  pdf: string | null;
  created_at: string;
  created_by: string | null;
}

export interface UpdateTables {
  letter_updates: LetterUpdatesTable;
  letter_replies: LetterRepliesTable;
}
