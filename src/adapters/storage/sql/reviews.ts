/**
 * Duplicate review storage: the blocking keys of confirmed signatures (so a new signature is compared with a
 * handful of candidates, never the whole list) and the organisers' review queue.
 */
import type { ColumnDataType, Expression, Kysely, Migration, Transaction } from 'kysely';
import type { DuplicateCandidate, ReviewRepo } from '../../../core/ports.ts';
import type { DuplicateReview, ReviewStatus } from '../../../core/model.ts';
import type { Database } from './schema.ts';
import type { Dialect } from './migrations.ts';
import { Prepared } from './prepared.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface NameKeysTable {
  letter_id: string;
  signature_id: string;
  key: string;
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

export function reviewsMigration(text: ColumnDataType | Expression<unknown>): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('name_keys')
        .addColumn('letter_id', text, (c) => c.notNull())
        .addColumn('signature_id', text, (c) => c.notNull())
        .addColumn('key', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('name_keys_pk', ['letter_id', 'key', 'signature_id'])
        .execute();
      await db.schema.createIndex('name_keys_signature').on('name_keys').column('signature_id').execute();
      await db.schema
        .createTable('reviews')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('letter_id', text, (c) => c.notNull())
        .addColumn('signature_id', text, (c) => c.notNull())
        .addColumn('other_id', text, (c) => c.notNull())
        .addColumn('score', 'real', (c) => c.notNull())
        .addColumn('band', text, (c) => c.notNull())
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('decided_at', text)
        .addColumn('decided_by', text)
        .addUniqueConstraint('reviews_pair', ['letter_id', 'signature_id', 'other_id'])
        .execute();
      await db.schema.createIndex('reviews_letter_status').on('reviews').columns(['letter_id', 'status', 'created_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('reviews').ifExists().execute();
      await db.schema.dropTable('name_keys').ifExists().execute();
    },
  };
}

const u = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function toReview(r: ReviewsTable): DuplicateReview {
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

function reviewRow(r: DuplicateReview): ReviewsTable {
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

const KEYS_DELETE = new Prepared<{ signature_id: string }>((db, p) => db.deleteFrom('name_keys').where('signature_id', '=', p.signature_id));
const REVIEW_INSERT = new Prepared<ReviewsTable>((db, p) => db.insertInto('reviews').values(p).onConflict((oc) => oc.columns(['letter_id', 'signature_id', 'other_id']).doNothing()));

export class SqlReviews implements ReviewRepo {
  constructor(private readonly db: Db, private readonly dialect: Dialect) {}

  async putKeys(letterId: string, signatureId: string, keys: string[]): Promise<void> {
    await KEYS_DELETE.execute(this.db, this.dialect, { signature_id: signatureId });
    const unique = [...new Set(keys)].filter(Boolean);
    if (unique.length) {
      await this.db
        .insertInto('name_keys')
        .values(unique.map((key) => ({ letter_id: letterId, signature_id: signatureId, key })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }

  async candidates(letterId: string, keys: string[], excludeId: string, limit: number): Promise<DuplicateCandidate[]> {
    if (!keys.length) return [];
    // Driven from the key index (name_keys_pk: letter, key, signature) and bounded, then signatures by primary key:
    // filtering signatures with EXISTS/IN made both databases scan every confirmed signature of the letter on each
    // confirmation (quadratic during a surge).
    const matches = this.db
      .selectFrom('name_keys')
      .select('name_keys.signature_id')
      .distinct()
      .where('name_keys.letter_id', '=', letterId)
      .where('name_keys.key', 'in', [...new Set(keys)])
      .where('name_keys.signature_id', '!=', excludeId)
      .limit(limit * 4)
      .as('k');
    const rows = await this.db
      .selectFrom(matches)
      .innerJoin('signatures', 'signatures.id', 'k.signature_id')
      .select(['signatures.id', 'signatures.name', 'signatures.name_alt'])
      .where('signatures.letter_id', '=', letterId)
      .where('signatures.status', '=', 'confirmed')
      .orderBy('signatures.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, nameAlt: u(r.name_alt) }));
  }

  async insert(review: DuplicateReview): Promise<void> {
    await REVIEW_INSERT.execute(this.db, this.dialect, reviewRow(review));
  }

  async update(review: DuplicateReview): Promise<void> {
    const { id, ...rest } = reviewRow(review);
    await this.db.updateTable('reviews').set(rest).where('id', '=', id).execute();
  }

  async byId(id: string): Promise<DuplicateReview | undefined> {
    const r = await this.db.selectFrom('reviews').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toReview(r);
  }

  async list(letterId: string, status?: ReviewStatus): Promise<DuplicateReview[]> {
    let q = this.db.selectFrom('reviews').selectAll().where('letter_id', '=', letterId);
    if (status) q = q.where('status', '=', status);
    return (await q.orderBy('created_at').orderBy('id').execute()).map(toReview);
  }
}
