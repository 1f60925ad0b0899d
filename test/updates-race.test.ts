/**
 * A double click, a retrying client (issue 13 item 4): 20 sends of one update at once (the same Idempotency-Key,
 * and separately the same words without one), 20 recordings of one reply and 20 one-click unsubscriptions of one
 * link, on SQLite and on PostgreSQL. One update is stored and its mails queued once (one per recipient), one reply
 * and one `reply` log entry, one unsubscription; the others answer as a repeat.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../src/main.ts';
import { loadConfig } from '../src/config.ts';
import { createLetter } from '../src/use-cases/create-letter.ts';
import { createApiToken } from '../src/use-cases/organiser-tokens.ts';
import { decodeEntry } from '../src/core/log/index.ts';
import { faEnLetter, MemoryMailer } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';
import { deliverDue } from '../src/use-cases/workers/deliver-outbox.ts';

const json = (payload: unknown, headers: Record<string, string> = {}) => ({ payload: JSON.stringify(payload), headers: { 'content-type': 'application/json', ...headers } });
const OWNER = 'owner@example.org';

for (const setup of [{ name: 'SQLite' }, { name: 'PostgreSQL', pg: true }]) {
  describe(`20 at once: ${setup.name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-updates-race-'));
    let db: TestDatabase | undefined;
    let app: App | undefined;
    after(async () => {
      await app?.close();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('one update, one reply and one unsubscription land; the rest answer as repeats', async () => {
      const env: Record<string, string> = { UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_BASE_URL: 'http://test.local', UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_SCREENING: 'off' };
      if (setup.pg) {
        db = await createTestDatabase();
        env.UNDERSIGNED_DATABASE_URL = db.url;
      }
      const mailer = new MemoryMailer();
      app = await buildApp(loadConfig(env, { dataDir: dir }), { mailer });
      const http = await app.http();
      await createLetter(app.deps, faEnLetter('race', { organisers: [OWNER] }), { publish: true });
      const token = (await createApiToken(app.deps, OWNER, { letterSlug: 'race' })).token;
      const flush = async () => {
        while ((await deliverDue(app!.deps, mailer)).sent > 0);
      };
      for (let i = 0; i < 5; i++) {
        const r = await http.inject({ method: 'POST', url: '/api/v1/letters/race/signatures', ...json({ name: `Signer ${i}`, email: `s${i}@example.org`, lang: i % 2 ? 'en' : 'fa', visibility: 'public', consentUpdates: i !== 4 }) });
        assert.equal(r.statusCode, 202, r.body);
      }
      await flush();
      for (const m of mailer.sent.filter((x) => x.template === 'confirm')) {
        const c = await http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({ token: /confirm\?token=([A-Za-z0-9_-]+)/.exec(m.text)![1] }) });
        assert.equal(c.statusCode, 200, c.body);
      }
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        http.inject({ method: 'POST', url: `/api/v1/organise/letters/race${path}`, ...json(body, { authorization: `Bearer ${token}`, ...headers }) });
      const updateMails = async () => (await app!.store.outbox.list({ limit: 10_000 })).filter((j) => j.payload.template === 'update');

      // The same Idempotency-Key, 20 at once (a double click through a client that names its request).
      const keyed = await Promise.all(Array.from({ length: 20 }, () => post('/updates', { subject: { fa: 'خبر', en: 'News' }, body: { fa: 'متن', en: 'Text' } }, { 'idempotency-key': 'click-1' })));
      assert.deepEqual(keyed.map((r) => r.statusCode).sort(), [...Array(19).fill(200), 201]);
      assert.equal(new Set(keyed.map((r) => r.json().id)).size, 1, 'every answer names the one update');
      assert.equal((await updateMails()).length, 4, 'one mail per consenting signer, queued once');

      // The same words without a key, 20 at once.
      const words = await Promise.all(Array.from({ length: 20 }, () => post('/updates', { subject: { fa: 'خبر دیگر' }, body: { fa: 'متن دیگر' } })));
      assert.deepEqual(words.map((r) => r.statusCode).sort(), [...Array(19).fill(200), 201]);
      assert.equal((await updateMails()).length, 8);
      assert.equal((await app.store.updates.updates((await app.store.letters.bySlug('race'))!.id)).length, 2);

      // One reply, 20 at once: one row, one log entry, one update.
      const replies = await Promise.all(Array.from({ length: 20 }, () => post('/replies', { texts: { fa: 'پاسخ' }, receivedOn: '2026-02-01' })));
      assert.deepEqual(replies.map((r) => r.statusCode).sort(), [...Array(19).fill(200), 201]);
      assert.equal((await updateMails()).length, 12);
      await app.drainLog();
      const state = (await app.store.log.state())!;
      let replyEntries = 0;
      for (let i = 0; i < state.size; i++) if (decodeEntry((await app.store.log.entryAt(i))!).type === 'reply') replyEntries++;
      assert.equal(replyEntries, 1);

      // One unsubscribe link, 20 one-click POSTs at once: one changes the row; the next update skips the signer.
      await flush();
      const mail = mailer.sent.find((m) => m.template === 'update' && m.to === 's0@example.org')!;
      const url = new URL(mail.headers!['List-Unsubscribe']!.slice(1, -1));
      const letterId = (await app.store.letters.bySlug('race'))!.id;
      const sig = (await app.store.updates.recipients(letterId)).find((r) => r.email === 's0@example.org')!;
      const direct = await Promise.all(Array.from({ length: 20 }, () => app!.store.updates.unsubscribe(sig.signatureId, new Date().toISOString())));
      assert.equal(direct.filter(Boolean).length, 1, 'the conditional update lets one of 20 through');
      const clicks = await Promise.all(Array.from({ length: 20 }, () => http.inject({ method: 'POST', url: url.pathname + url.search, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })));
      assert.ok(clicks.every((r) => r.statusCode === 200));
      // The outbox worker (woken by every queued mail) stops here, so that a mail can wait in the outbox.
      await app.worker.stop();
      const next = await post('/updates', { subject: { fa: 'سوم' }, body: { fa: 'سوم' } });
      assert.equal(next.json().recipients, 3);
      // Unsubscribed after the update was queued, before it went out: that signer's mail is not sent.
      const late = (await app.store.updates.recipients(letterId)).find((r) => r.email === 's1@example.org')!;
      assert.equal(await app.store.updates.unsubscribe(late.signatureId, new Date().toISOString()), true);
      const before = mailer.sent.length;
      await flush();
      assert.deepEqual(mailer.sent.slice(before).filter((m) => m.template === 'update').map((m) => m.to).sort(), ['s2@example.org', 's3@example.org']);
      assert.equal((await app.store.outbox.list({ pendingOnly: true })).length, 0, 'the skipped mail is done, not retried');
    });
  });
}
