/** The outbox's permanent failures and its backlog figures (OutboxRepo.fail, .stats, .undeliverable). */
import { sql } from 'kysely';
import type { OutboxStats } from '../../../core/ports.ts';
import type { UndeliverableAddress } from '../../../core/model.ts';
import type { Db, Dialect } from './dialect.ts';


/**
 * Ends a job that failed for good: done (never claimed again) and failed, its payload cut to the address, language and
 * template as a sent mail's is (no link stays), and its address recorded as undeliverable with the server's reason.
 */
export async function failOutboxJob(db: Db, dialect: Dialect, id: string, at: string, error: string): Promise<void> {
  const reason = error.slice(0, 1000);
  const kept = dialect === 'postgres'
    ? sql`json_build_object('to', payload::json->>'to', 'lang', payload::json->>'lang', 'template', payload::json->>'template')::text`
    : sql`json_object('to', json_extract(payload, '$.to'), 'lang', json_extract(payload, '$.lang'), 'template', json_extract(payload, '$.template'))`;
  const to = dialect === 'postgres' ? sql<string>`lower(payload::json->>'to')` : sql<string>`lower(json_extract(payload, '$.to'))`;
  const row = await sql<{ email: string | null }>`update outbox set done_at = ${at}, failed_at = ${at}, locked_until = null,
    last_error = ${reason}, payload = ${kept} where id = ${id} and done_at is null returning ${to} as email`.execute(db);
  const email = row.rows[0]?.email;
  if (!email) return;
  await db
    .insertInto('undeliverable_addresses')
    .values({ email, reason, failed_at: at })
    .onConflict((oc) => oc.column('email').doUpdateSet({ reason, failed_at: at }))
    .execute();
}

/** What waits in the outbox now: for the health endpoint and the signing answer's back-pressure. */
export async function outboxStats(db: Db, now: string): Promise<OutboxStats> {
  const r = await sql<{ waiting: number | string; retrying: number | string; oldest: string | null }>`select
      count(*) as waiting,
      coalesce(sum(case when attempts > 0 and (locked_until is null or locked_until < ${now}) then 1 else 0 end), 0) as retrying,
      min(created_at) as oldest
    from outbox where done_at is null`.execute(db);
  const u = await sql<{ n: number | string }>`select count(*) as n from undeliverable_addresses`.execute(db);
  const row = r.rows[0];
  return {
    waiting: Number(row?.waiting ?? 0),
    retrying: Number(row?.retrying ?? 0),
    oldestWaitingSince: row?.oldest ?? undefined,
    undeliverable: Number(u.rows[0]?.n ?? 0),
  };
}

/** Which of these addresses (any case) a mail server refused for good, with its reason. */
export async function undeliverableAddresses(db: Db, emails: readonly string[]): Promise<UndeliverableAddress[]> {
  const out: UndeliverableAddress[] = [];
  const wanted = [...new Set(emails.map((e) => e.toLowerCase()))];
  for (let i = 0; i < wanted.length; i += 500) {
    const rows = await db
      .selectFrom('undeliverable_addresses')
      .selectAll()
      .where('email', 'in', wanted.slice(i, i + 500))
      .execute();
    for (const r of rows) out.push({ email: r.email, reason: r.reason, failedAt: r.failed_at });
  }
  return out;
}

/** Erasure: the address leaves this table with the person's other mail rows. */
export async function forgetUndeliverable(db: Db, email: string): Promise<void> {
  await db.deleteFrom('undeliverable_addresses').where('email', '=', email.toLowerCase()).execute();
}
