/**
 * Store.insertFirstSignature on PostgreSQL: the signings of one moment in one statement (group commit).
 *
 * Each signing is one row of a JSON parameter; one statement checks each row's letter as its request read it,
 * inserts the signatures (the unique index on letter and address decides, waiting for a concurrent inserter as any
 * insert does) and, for exactly the rows it inserted, their signer tokens (withdrawal and manage) and outbox jobs.
 * One statement is one transaction in autocommit: each row lands with its tokens and its mail or not at all, and
 * every request is answered after the commit (synchronous_commit stays on). A signing that arrives while MAX_IN_FLIGHT statements run waits for
 * the next one; under load a statement carries many signings, so the round trip, the socket writes and the WAL flush
 * of a commit are shared (one signing alone took BEGIN, 4 statements and COMMIT: 6 round trips and a flush).
 *
 * Rows are sorted by (letter, address) so that two statements meeting on the unique index take its locks in the same
 * order (no deadlock between batches). If a statement fails, its signings are tried again one per statement, so that
 * one bad row fails only its own request.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { FirstSignature } from '../../../core/ports.ts';
import type { Database, SignaturesTable } from './schema.ts';
import { prepareOnServer } from './prepared.ts';
import { SIGNATURE_COLUMNS } from './rows.ts';

export type SignatureRowOf = (s: FirstSignature['signature']) => SignaturesTable;

/** The integer columns of a signature row, typed so in the JSON record set. */
const INTEGER_COLUMNS = new Set<string>(['consent_updates', 'text_version', 'mails_sent', 'imported']);
const EXTRA_COLUMNS: [string, 'text' | 'integer'][] = [
  ['l_id', 'text'], ['l_state', 'text'], ['l_text_version', 'integer'], ['l_updated_at', 'text'],
  ['t_hash', 'text'], ['t_purpose', 'text'], ['t_created_at', 'text'], ['m_hash', 'text'], ['m_created_at', 'text'],
  ['j_id', 'text'], ['j_kind', 'text'], ['j_payload', 'text'], ['j_run_at', 'text'], ['j_attempts', 'integer'], ['j_created_at', 'text'],
];

const RECORD = [['ord', 'integer'], ...SIGNATURE_COLUMNS.map((c) => [c, INTEGER_COLUMNS.has(c) ? 'integer' : 'text']), ...EXTRA_COLUMNS].map(([c, t]) => `${c} ${t}`).join(', ');

/** Prepared once per connection (a named statement): parsing and planning it cost about as much as running it for ten signings. */
const SQL = prepareOnServer(`with r as (select * from json_to_recordset($1::json) as r(${RECORD})),
s as (insert into signatures (${SIGNATURE_COLUMNS.join(', ')})
  select ${SIGNATURE_COLUMNS.map((c) => `r.${c}`).join(', ')} from r
  where exists (select 1 from letters l where l.id = r.l_id and l.state = r.l_state and l.text_version = r.l_text_version and l.updated_at = r.l_updated_at)
  order by r.ord
  on conflict (letter_id, email_key) do nothing returning id),
t as (insert into signer_tokens (token_hash, signature_id, purpose, created_at)
  select r.t_hash, r.id, r.t_purpose, r.t_created_at from r join s on s.id = r.id
  union all select r.m_hash, r.id, 'manage', r.m_created_at from r join s on s.id = r.id where r.m_hash is not null
  on conflict (token_hash) do nothing),
o as (insert into outbox (id, kind, payload, run_at, attempts, created_at)
  select r.j_id, r.j_kind, r.j_payload, r.j_run_at, r.j_attempts, r.j_created_at from r join s on s.id = r.id
  on conflict (id) do nothing)
select id from s`);

interface Waiting {
  first: FirstSignature;
  resolve: (inserted: boolean) => void;
  reject: (e: unknown) => void;
}

export class PgFirstSignatures {
  /**
   * Statements running at once (each holds a pooled connection while it runs; the pool has 10 by default). Two keep
   * one statement filling while the other commits; more make smaller batches that cost more CPU per signing on both
   * sides. Measured on 2 shared cores (bench/sign.ts, one / two processes): 2 in flight 2,365 / 2,124 req/s, 4: 2,025 /
   * 1,966, 8: 1,049 / 1,321; a second, noisier series agreed on 8 being worst and was mixed between 2 and 4.
   */
  static readonly MAX_IN_FLIGHT = 2;
  /** Most signings in one statement. */
  static readonly MAX_BATCH = 250;
  private queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly db: Kysely<Database>, private readonly rowOf: SignatureRowOf) {}

  insert(first: FirstSignature): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ first, resolve, reject });
      // Requests read in the same turn of the event loop go together.
      if (!this.scheduled && this.inFlight < PgFirstSignatures.MAX_IN_FLIGHT) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.inFlight < PgFirstSignatures.MAX_IN_FLIGHT && this.queue.length) {
      const batch = this.queue.splice(0, PgFirstSignatures.MAX_BATCH);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    try {
      const inserted = await this.statement(batch.map((w) => w.first));
      for (const w of batch) w.resolve(inserted.has(w.first.signature.id));
    } catch (e) {
      if (batch.length === 1) return batch[0]!.reject(e);
      await Promise.all(batch.map(async (w) => {
        try {
          w.resolve((await this.statement([w.first])).has(w.first.signature.id));
        } catch (e1) {
          w.reject(e1);
        }
      }));
    }
  }

  /** Ids of the signatures inserted. */
  private async statement(firsts: FirstSignature[]): Promise<Set<string>> {
    const sorted = [...firsts].sort((a, b) => cmp(a.signature.letterId, b.signature.letterId) || cmp(a.signature.emailKey, b.signature.emailKey));
    const rows = sorted.map((f, ord) => ({
      ord,
      ...this.rowOf(f.signature),
      l_id: f.letter.id,
      l_state: f.letter.state,
      l_text_version: f.letter.textVersion,
      l_updated_at: f.letter.updatedAt,
      t_hash: f.signerToken.tokenHash,
      t_purpose: f.signerToken.purpose,
      t_created_at: f.signerToken.createdAt,
      m_hash: f.manageToken?.tokenHash ?? null,
      m_created_at: f.manageToken?.createdAt ?? null,
      j_id: f.job.id,
      j_kind: f.job.kind,
      j_payload: JSON.stringify(f.job.payload),
      j_run_at: f.job.runAt,
      j_attempts: f.job.attempts,
      j_created_at: f.job.createdAt,
    }));
    const r = await this.db.executeQuery<{ id: string }>(CompiledQuery.raw(SQL, [JSON.stringify(rows)]));
    return new Set(r.rows.map((x) => x.id));
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
