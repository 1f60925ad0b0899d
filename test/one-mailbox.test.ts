/**
 * Email hygiene (issue 15, item 4) through real `serve` processes on SQLite and PostgreSQL: one mailbox signs once
 * whatever variant it types (case, +tags, Gmail's dots, a Unicode domain in either form); addresses with control,
 * invisible or bidi characters are refused with the field named; names holding a web or email address are refused
 * with a clear message; the mail goes to the address stored. Migration 0012 re-keys signatures made before.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Store } from '../src/core/ports.ts';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';
import { openPostgresStore } from '../src/adapters/storage/postgres/index.ts';
import type { SqlStore } from '../src/adapters/storage/sql/store.ts';
import { mailboxKeys } from '../src/adapters/storage/sql/migrations/0012-mailbox-keys.ts';
import { signatureFixture } from '../src/adapters/storage/store.case.ts';
import { readDevOutbox } from '../src/adapters/mail/dev-outbox.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';
import { publishLetter } from './support/seed.ts';
import { eventually, postJsonAlone, requestAlone, startServe, type Served } from './support/serve.ts';

const BASE = 'http://mailbox.test';

for (const dbKind of ['SQLite', 'PostgreSQL'] as const) {
  describe(`one signature per mailbox: ${dbKind}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-mailbox-'));
    let s: Served;
    let pg: TestDatabase | undefined;
    const open = async (): Promise<Store> => (pg ? openPostgresStore(pg.url, { foldIntervalMs: 0 }) : openSqliteStore(join(dir, 'undersigned.db')));
    before(async () => {
      const env: Record<string, string> = { UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_BASE_URL: BASE };
      if (dbKind === 'PostgreSQL') {
        pg = await createTestDatabase();
        env.UNDERSIGNED_DATABASE_URL = pg.url;
      }
      const store = await open();
      await publishLetter(store, 'one', BASE);
      await store.close();
      s = await startServe(env);
    });
    after(async () => {
      await s?.stop();
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('seven variants of one Gmail mailbox: one signature; mail only to the address first stored', async () => {
      const variants = ['sara.ahmadi@gmail.com', 'Sara.Ahmadi@Gmail.com', 'saraahmadi@gmail.com', 'sara.ahmadi+1@gmail.com', 's.a.r.a.ahmadi@gmail.com', 'SaraAhmadi+letters@googlemail.com', ' sara.ahmadi@GMAIL.COM. '];
      for (const email of variants) {
        const r = await postJsonAlone(`${s.url}/api/v1/letters/one/signatures`, { name: 'Sara Ahmadi', email });
        assert.equal(r.status, 202, `${email}: ${JSON.stringify(r.body)}`);
      }
      for (const email of ['maryam@ایران.ir', 'Maryam@xn--mgba3a4f16a.IR']) assert.equal((await postJsonAlone(`${s.url}/api/v1/letters/one/signatures`, { name: 'Maryam', email })).status, 202);
      const mails = await eventually(async () => {
        const m = readDevOutbox(join(dir, 'outbox'), 100);
        return m.length >= 2 ? m : undefined;
      }, 20_000, 'the confirmation mails');
      await new Promise((r) => setTimeout(r, 1500));
      const all = readDevOutbox(join(dir, 'outbox'), 100);
      assert.deepEqual(new Set(all.map((m) => m.to)), new Set(['sara.ahmadi@gmail.com', 'maryam@xn--mgba3a4f16a.ir']), JSON.stringify(mails.map((m) => m.to)));
      await s.stop();
      const store = await open();
      try {
        const letter = (await store.letters.bySlug('one'))!;
        const db = (store as SqlStore).db as unknown as Kysely<any>;
        const rows = await db.selectFrom('signatures').select(['email', 'email_key']).where('letter_id', '=', letter.id).execute();
        assert.deepEqual(rows.map((r) => r.email_key).sort(), ['maryam@xn--mgba3a4f16a.ir', 'saraahmadi@gmail.com']);
        assert.deepEqual(rows.map((r) => r.email).sort(), ['maryam@xn--mgba3a4f16a.ir', 'sara.ahmadi@gmail.com']);
      } finally {
        await store.close();
      }
      s = await startServe({ UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_BASE_URL: BASE, ...(pg ? { UNDERSIGNED_DATABASE_URL: pg.url } : {}) });
    });

    test('control, invisible and bidi characters in an address: 400 with the field code, on the API and the form', async () => {
      const cases: [string, string][] = [['a\u0000b@example.org', 'CONTROL_CHARACTER'], ['a\u001bb@example.org', 'CONTROL_CHARACTER'], ['a\u200bb@example.org', 'INVISIBLE_CHARACTER'], ['\ufeffab@example.org', 'INVISIBLE_CHARACTER'], ['a\u202eb@example.org', 'BIDI_CONTROL'], ['ab@exam\u2066ple.org', 'BIDI_CONTROL']];
      for (const [email, code] of cases) {
        const r = await postJsonAlone(`${s.url}/api/v1/letters/one/signatures`, { name: 'Hidden Chars', email });
        assert.equal(r.status, 400, JSON.stringify(email));
        assert.ok(r.body.error.fields.some((f: { field: string; code: string }) => f.field === 'email' && f.code === code), `${JSON.stringify(email)}: ${JSON.stringify(r.body)}`);
      }
      const form = await requestAlone(`${s.url}/en/letters/one/sign`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE, host: 'mailbox.test' }, body: new URLSearchParams({ name: 'Zero Width', email: 'zero\u200bwidth@example.org' }).toString() });
      assert.equal(form.status, 400);
      assert.match(form.text, /This contains invisible characters/);
    });

    test('a name holding a URL or an email address is refused with a clear message', async () => {
      const name = 'Hassan. Your signature is void: re-sign at https://evil.example/login';
      const api = await postJsonAlone(`${s.url}/api/v1/letters/one/signatures`, { name, email: 'hassan@example.org' });
      assert.equal(api.status, 400);
      assert.deepEqual(api.body.error.fields, [{ field: 'name', code: 'HOLDS_ADDRESS' }]);
      const form = await requestAlone(`${s.url}/en/letters/one/sign`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE, host: 'mailbox.test' }, body: new URLSearchParams({ name: 'Write to x@evil.example', email: 'hassan@example.org' }).toString() });
      assert.equal(form.status, 400);
      assert.match(form.text, /Names and titles cannot contain web or email addresses/);
      const fa = await requestAlone(`${s.url}/fa/letters/one/sign`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE, host: 'mailbox.test' }, body: new URLSearchParams({ name: 'حسن www.evil.example', email: 'hassan@example.org' }).toString() });
      assert.equal(fa.status, 400);
      assert.match(fa.text, /نام‌ها و عنوان‌ها نمی‌توانند نشانی وب یا ایمیل داشته باشند/);
    });

    test('migration 0012 re-keys earlier signatures: variants of one mailbox keep one key, the later ones marked', async () => {
      await s.stop();
      const store = await open();
      try {
        const db = (store as SqlStore).db as unknown as Kysely<any>;
        const letter = (await store.letters.bySlug('one'))!;
        // Signatures stored as the code before 0012 keyed them: the lower-cased address.
        const old = ['Old.Mailbox@gmail.com', 'oldmailbox+x@gmail.com', 'Other@Example.org'];
        for (const [i, email] of old.entries()) {
          await store.signatures.insert({ ...signatureFixture(letter.id), email, emailKey: email.toLowerCase(), createdAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString() });
        }
        await store.signatures.insert({ ...signatureFixture(letter.id), email: '', emailKey: 'erased:xyz' });
        await mailboxKeys(pg ? 'postgres' : 'sqlite', 'text' as never).up(db);
        const rows = await db.selectFrom('signatures').select(['email', 'email_key']).where('letter_id', '=', letter.id).execute();
        const keyOf = (email: string) => rows.find((r) => r.email === email)?.email_key;
        assert.equal(keyOf('Old.Mailbox@gmail.com'), 'oldmailbox@gmail.com');
        assert.match(String(keyOf('oldmailbox+x@gmail.com')), /^oldmailbox@gmail\.com#/);
        assert.equal(keyOf('Other@Example.org'), 'other@example.org');
        assert.ok(rows.some((r) => r.email_key === 'erased:xyz'));
        assert.equal(rows.filter((r) => r.email_key === 'saraahmadi@gmail.com').length, 1);
      } finally {
        await store.close();
      }
    });
  });
}
