/**
 * Signing through the letter snapshot (letter-snapshot.ts) and insert-first, on SQLite (group commit) and
 * PostgreSQL (two stores, as two processes): one signature per address under concurrency, the mail-bombing guard,
 * and a letter changed elsewhere — closed, or given a new text version — seen by the very next signing.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../adapters/storage/sqlite/index.ts';
import { openPostgresStore } from '../adapters/storage/postgres/index.ts';
import type { SqlStore } from '../adapters/storage/sql/store.ts';
import { letterFixture, versionsFixture } from '../adapters/storage/store.case.ts';
import { mailTemplates } from '../adapters/mail/templates.ts';
import { nodeSecrets } from '../adapters/node-secrets.ts';
import { nodeLogCrypto } from '../adapters/crypto/node-crypto.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres.ts';
import { MAX_CONFIRMATION_MAILS } from '../core/signatures/signature.ts';
import type { Store } from '../core/ports.ts';
import type { MailMessage } from '../core/model.ts';
import { deliverDue } from './workers/deliver-outbox.ts';
import type { Deps } from './deps.ts';
import { sign } from './sign.ts';

const depsOf = (store: Store): Deps => ({ store, clock: { now: () => new Date() }, secrets: nodeSecrets, templates: mailTemplates, baseUrl: 'http://test.local', log: { crypto: nodeLogCrypto, opening: () => new Uint8Array(32) }, signals: { mailQueued() {}, logQueued() {}, letterChanged() {} } });

async function mails(store: Store, to: string) {
  return (await store.outbox.list({ limit: 1000 })).filter((j) => j.payload.to.toLowerCase() === to.toLowerCase());
}

function cases(name: string, open: () => Promise<{ a: SqlStore; b: SqlStore; done: () => Promise<void> }>) {
  describe(`sign (${name})`, () => {
    let a: SqlStore;
    let b: SqlStore;
    let done: () => Promise<void>;
    before(async () => {
      ({ a, b, done } = await open());
    });
    after(async () => done());

    test('the same address signing many times at once: one signature, every answer the same, mails capped', async () => {
      const l = letterFixture();
      await a.letters.insert(l, versionsFixture);
      const input = { name: 'Zoe Adams', email: 'Race@Example.org', lang: 'en' };
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => sign(depsOf(i % 2 ? a : b), l.slug, input)));
      assert.deepEqual(new Set(answers.map((x) => JSON.stringify(x))), new Set([JSON.stringify({ status: 'pending', held: false })]));
      const row = await a.signatures.byEmail(l.id, 'race@example.org');
      assert.ok(row);
      assert.equal(await a.signatures.insert({ ...row, id: 'other-id' }), false, 'one row for the address');
      const sent = await mails(a, 'Race@Example.org');
      assert.ok(sent.length >= 1 && sent.length <= MAX_CONFIRMATION_MAILS, `mails: ${sent.length}`);
      assert.equal(row.mailsSent, sent.length, 'each mail counted on the row');
    });

    test('a letter closed by another process refuses the very next signing, though this one had it cached', async () => {
      const l = letterFixture();
      await a.letters.insert(l, versionsFixture);
      await sign(depsOf(a), l.slug, { name: 'Ali', email: 'ali@example.org' });
      // Through the other store (another process: no cache of ours is told), same updated_at even.
      await b.letters.update({ ...l, state: 'closed' });
      await assert.rejects(sign(depsOf(a), l.slug, { name: 'Sara', email: 'sara@example.org' }), { code: 'LETTER_CLOSED' });
      assert.equal(await a.signatures.byEmail(l.id, 'sara@example.org'), undefined);
      await b.letters.update({ ...l, state: 'open' });
      await sign(depsOf(a), l.slug, { name: 'Sara', email: 'sara@example.org' });
      assert.ok(await a.signatures.byEmail(l.id, 'sara@example.org'));
    });

    test('a new text version made elsewhere is signed and mailed with its own words at once', async () => {
      const l = letterFixture();
      await a.letters.insert(l, versionsFixture);
      await sign(depsOf(a), l.slug, { name: 'Ali', email: 'ali@example.org' });
      await b.letters.putVersions(l.id, 2, [{ lang: 'de', title: 'Brief, zweite Fassung', body: 'neu' }]);
      await b.letters.update({ ...l, textVersion: 2, defaultLang: 'de', updatedAt: '2026-05-01T00:00:00.000Z' });
      await sign(depsOf(a), l.slug, { name: 'Nina', email: 'nina@example.org', lang: 'de' });
      const nina = await a.signatures.byEmail(l.id, 'nina@example.org');
      assert.equal(nina?.textVersion, 2);
      assert.equal(nina?.lang, 'de');
      assert.match(JSON.stringify((await mails(a, 'nina@example.org'))[0]?.payload), /Brief, zweite Fassung/);
      await assert.rejects(sign(depsOf(a), l.slug, { name: 'Old', email: 'old@example.org', lang: 'en' }), { code: 'VALIDATION_FAILED' });
    });

    test('the confirmation mail is kept as what it says and rendered when sent: the text of signing time, whatever the letter became', async () => {
      const l = letterFixture();
      await a.letters.insert(l, versionsFixture);
      await sign(depsOf(a), l.slug, { name: 'مریم', email: 'maryam@example.org', lang: 'fa' });
      const sig = await a.signatures.byEmail(l.id, 'maryam@example.org');
      const [job] = await mails(a, 'maryam@example.org');
      assert.ok(sig && job && 'params' in job.payload);
      assert.equal(job.payload.text, undefined, 'no rendered text in the row');
      const { link, withdrawLink, manageLink } = job.payload.params;
      const token = new URL(link).searchParams.get('token')!;
      assert.equal(nodeSecrets.hashToken(token), sig.tokenHash, 'the link carries the stored token');
      assert.equal((await a.log.signerToken(nodeSecrets.hashToken(new URL(withdrawLink!).searchParams.get('token')!)))?.signatureId, sig.id);
      // Its own manage link: a token of its own, written with the signature.
      assert.deepEqual(await a.log.signerToken(nodeSecrets.hashToken(new URL(manageLink!).searchParams.get('token')!)), { signatureId: sig.id, purpose: 'manage' });
      assert.match(manageLink!, /^http:\/\/test\.local\/fa\/manage\?token=/);
      // The title changes before the worker sends: the mail still names the letter as it was signed.
      await b.letters.putVersions(l.id, 2, [{ lang: 'fa', title: 'نامهٔ دیگر', body: 'نو' }]);
      await b.letters.update({ ...l, textVersion: 2, updatedAt: '2026-05-01T00:00:00.000Z' });
      // A row of the older form (the rendered mail) is sent as it is.
      const older = { ...mailTemplates.alreadySigned({ lang: 'en', letterTitle: 'Letter', name: 'Old', letterUrl: 'http://test.local/en/letters/x' }), to: 'older@example.org' };
      await a.outbox.enqueue({ id: `older:${l.id}`, kind: 'mail', payload: older, runAt: '2026-01-01T00:00:00.000Z', attempts: 0, createdAt: '2026-01-01T00:00:00.000Z' });
      const sent: MailMessage[] = [];
      await deliverDue(depsOf(a), { batch: 10_000, send: async (m) => void sent.push(m), close: async () => {} }, 10_000);
      const expected = mailTemplates.confirmSignature({ lang: 'fa', letterTitle: 'نامه', name: 'مریم', link, expiresAt: sig.tokenExpiresAt!, withdrawLink, manageLink });
      assert.deepEqual(sent.filter((m) => m.to === 'maryam@example.org'), [{ ...expected, to: 'maryam@example.org' }]);
      assert.equal(link, `http://test.local/fa/confirm?token=${encodeURIComponent(token)}`);
      assert.match(expected.subject, /نامه$/);
      assert.deepEqual(sent.filter((m) => m.to === 'older@example.org'), [older]);
    });

    test('an unknown letter is not found, and is found once created', async () => {
      await assert.rejects(sign(depsOf(a), 'not-yet-here', { name: 'Ali', email: 'ali@example.org' }), { code: 'LETTER_NOT_FOUND' });
      const l = letterFixture({ slug: `not-yet-here-${Date.now()}` });
      await b.letters.insert(l, versionsFixture);
      await sign(depsOf(a), l.slug, { name: 'Ali', email: 'ali@example.org' });
      assert.ok(await a.signatures.byEmail(l.id, 'ali@example.org'));
    });
  });
}

cases('SQLite, one store with group commit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-sign-'));
  const store = await openSqliteStore(join(dir, 'db.sqlite'));
  return { a: store, b: store, done: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
});

cases('PostgreSQL, two stores', async () => {
  const db: TestDatabase = await createTestDatabase();
  const a = await openPostgresStore(db.url);
  const b = await openPostgresStore(db.url);
  return { a, b, done: async () => { await a.close(); await b.close(); await db.drop(); } };
});
