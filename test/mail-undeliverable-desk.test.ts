/**
 * A mail server refusing a signer's address for good (SMTP 550 to RCPT TO, from a real SMTP peer) shows to the
 * letter's organisers, on SQLite and PostgreSQL through the real app: the mark in the desk's signatures table (the
 * server's answer for owners), the "mail undeliverable" filter, the count on the dashboard, the organiser API's
 * listing and CSV (reason and time for owners; moderators a boolean only). Never on a public page or export.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type App } from '../src/main.ts';
import { loadConfig } from '../src/config.ts';
import { SmtpMailer } from '../src/adapters/mail/smtp.ts';
import { createLetter } from '../src/use-cases/create-letter.ts';
import { deliverLetter } from '../src/use-cases/deliver-letter.ts';
import { addOrganiser } from '../src/use-cases/manage-organisers.ts';
import { createApiToken } from '../src/use-cases/organiser-tokens.ts';
import { deliverDue } from '../src/use-cases/workers/deliver-outbox.ts';
import { Browser, faEnLetter, signInOrganiser, type TestApp } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';
import { KeepingMailer, startSmtp } from './support/smtp.ts';

const OWNER = 'owner@example.org';
const MOD = 'mod@example.org';
const REFUSAL = '5.1.1 No such mailbox here';
const json = (payload: unknown, headers: Record<string, string> = {}) => ({ payload: JSON.stringify(payload), headers: { 'content-type': 'application/json', ...headers } });

for (const setup of [{ name: 'SQLite' }, { name: 'PostgreSQL', pg: true }]) {
  describe(`refused addresses on the desk: ${setup.name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-undeliverable-'));
    let db: TestDatabase | undefined;
    let app: App | undefined;
    let peer: Awaited<ReturnType<typeof startSmtp>> | undefined;
    let http: FastifyInstance;
    let ownerToken = '';
    let flush: () => Promise<void>;
    let refused: Set<string>;
    after(async () => {
      await app?.close();
      await peer?.close();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a 550 marks the signer for organisers only; the filter selects them; the dashboard counts them', async () => {
      refused = new Set(['nobody@example.org']);
      const rcpt = new Map<string, number>();
      peer = await startSmtp({
        refuse: (a) => {
          rcpt.set(a, (rcpt.get(a) ?? 0) + 1);
          return refused.has(a) ? { code: 550, message: REFUSAL } : undefined;
        },
      });
      const env: Record<string, string> = { UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_BASE_URL: 'http://test.local', UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_SCREENING: 'off' };
      if (setup.pg) {
        db = await createTestDatabase();
        env.UNDERSIGNED_DATABASE_URL = db.url;
      }
      const mailer = new KeepingMailer(new SmtpMailer(peer.url, 'Letters <letters@mail.example.org>'));
      app = await buildApp(loadConfig(env, { dataDir: dir }), { mailer });
      http = await app.http();
      await http.ready();
      flush = async () => {
        // Until nothing waits: a poke may have started the worker's own round, whose mails are leased, not yet done.
        for (let i = 0; i < 400; i++) {
          const r = await deliverDue(app!.deps, mailer);
          assert.equal(r.failed, 0, `a mail failed for now: ${r.lastError}`);
          if ((await app!.store.outbox.stats(new Date().toISOString())).waiting === 0) return;
          if (r.sent + r.rejected === 0) await new Promise((ok) => setTimeout(ok, 25));
        }
        throw new Error('the outbox did not drain');
      };
      await createLetter(app.deps, faEnLetter('mail', { organisers: [OWNER] }), { publish: true });
      await addOrganiser(app.deps, 'mail', MOD, 'moderator', undefined);

      for (const [name, email] of [['Maryam Karimi', 'maryam@example.org'], ['Nobody Here', 'nobody@example.org'], ['Zoë Martin', 'zoe@example.org']] as const) {
        const r = await http.inject({ method: 'POST', url: '/api/v1/letters/mail/signatures', ...json({ name, email, visibility: 'public', lang: 'en', consentUpdates: true }) });
        assert.equal(r.statusCode, 202, r.body);
      }
      await flush();
      assert.equal(rcpt.get('nobody@example.org'), 1);
      for (const email of ['maryam@example.org', 'zoe@example.org']) {
        const c = await http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({ token: mailer.lastToken(email) }) });
        assert.equal(c.statusCode, 200, c.body);
      }

      // Later Zoë's server refuses her address too: an update to the signers is refused at RCPT TO.
      refused.add('zoe@example.org');
      ownerToken = (await createApiToken(app.deps, OWNER, { letterSlug: 'mail' })).token;
      const modToken = (await createApiToken(app.deps, MOD, { letterSlug: 'mail' })).token;
      const upd = await http.inject({ method: 'POST', url: '/api/v1/organise/letters/mail/updates', ...json({ subject: { fa: 'خبر', en: 'News' }, body: { fa: 'متن', en: 'Text' } }, { authorization: `Bearer ${ownerToken}` }) });
      assert.ok(upd.statusCode < 300, upd.body);
      await flush();
      assert.equal(rcpt.get('zoe@example.org'), 2, 'the confirmation went, the update was refused');
      assert.ok(peer.mails.some((m) => m.to.includes('maryam@example.org') && /News/.test(m.subject)), 'the update reached Maryam');

      // The organiser API, for an owner: the boolean, the server's answer and its time.
      const api = async (q: string, token: string) => http.inject({ method: 'GET', url: `/api/v1/organise/letters/mail/signatures${q}`, headers: { authorization: `Bearer ${token}` } });
      const own = JSON.parse((await api('', ownerToken)).body) as { items: Record<string, unknown>[]; undeliverable: number };
      assert.equal(own.undeliverable, 2);
      const byName = new Map(own.items.map((r) => [r.name, r]));
      assert.equal(byName.get('Maryam Karimi')!.mailUndeliverable, false);
      assert.equal(byName.get('Maryam Karimi')!.mailRefusedReason, null);
      for (const n of ['Nobody Here', 'Zoë Martin']) {
        assert.equal(byName.get(n)!.mailUndeliverable, true, n);
        assert.match(String(byName.get(n)!.mailRefusedReason), /550[\s\S]*No such mailbox here/);
        assert.match(String(byName.get(n)!.mailRefusedAt), /^\d{4}-\d{2}-\d{2}T/);
      }
      const filtered = JSON.parse((await api('?mail=undeliverable', ownerToken)).body) as { items: { name: string }[]; total: number };
      assert.deepEqual(filtered.items.map((r) => r.name).sort(), ['Nobody Here', 'Zoë Martin']);
      assert.equal((await api('?mail=bounced', ownerToken)).statusCode, 400, 'an unknown mail filter is refused, not ignored');
      const csv = (await api('?format=csv&mail=undeliverable&state=confirmed', ownerToken)).body;
      const [head, ...lines] = csv.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
      assert.match(head!, /mailUndeliverable,mailRefusedReason,mailRefusedAt/);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /Zoë Martin.*true.*No such mailbox here/);

      // A moderator: the boolean only, neither the answer (it may name the address) nor its time.
      const modRes = await api('', modToken);
      const mod = JSON.parse(modRes.body) as { items: Record<string, unknown>[] };
      assert.equal(mod.items.filter((r) => r.mailUndeliverable === true).length, 2);
      assert.ok(mod.items.every((r) => !('mailRefusedReason' in r) && !('mailRefusedAt' in r) && !('email' in r)));
      assert.doesNotMatch(modRes.body, /No such mailbox|@example\.org/);
      const modCsv = (await api('?format=csv', modToken)).body;
      assert.match(modCsv, /mailUndeliverable/);
      assert.doesNotMatch(modCsv, /mailRefused|No such mailbox|@example\.org/);

      // The desk, in English and Persian: the mark, the answer for owners, the filter, the count on the dashboard.
      const shim = { mailer, flushMail: flush } as unknown as TestApp;
      const owner = new Browser(http);
      await signInOrganiser(shim, owner, OWNER, { lang: 'en' });
      const table = (await owner.get('/en/organise/letters/mail/signatures')).body;
      assert.match(table, /2 signers’ addresses refused our mail/);
      assert.equal((table.match(/class="undeliverable"/g) ?? []).length, 2);
      assert.match(table, /<summary><span class="mail-refused">mail refused<\/span><\/summary>[\s\S]*No such mailbox here/);
      const only = (await owner.get('/en/organise/letters/mail/signatures?mail=undeliverable')).body;
      assert.match(only, /2 signatures match/);
      assert.doesNotMatch(only, /Maryam Karimi/);
      assert.match(only, /<option value="undeliverable" selected>/);
      assert.match((await owner.get('/fa/organise/letters/mail/signatures')).body, /نشانی ۲ امضاکننده ایمیل ما را نپذیرفت/);
      assert.match((await owner.get('/en/organise')).body, /href="\/en\/organise\/letters\/mail\/signatures\?mail=undeliverable">2 signers’ addresses refused our mail/);
      const moderator = new Browser(http);
      await signInOrganiser(shim, moderator, MOD, { lang: 'en' });
      const modTable = (await moderator.get('/en/organise/letters/mail/signatures')).body;
      assert.equal((modTable.match(/class="undeliverable"/g) ?? []).length, 2);
      assert.doesNotMatch(modTable, /No such mailbox/);

      // Never public: the letter page, the public list and its CSV say nothing of refused mail.
      for (const url of ['/en/letters/mail', '/api/v1/letters/mail/signatures', '/api/v1/letters/mail/signatures.csv', '/api/v1/letters/mail']) {
        const r = await http.inject({ method: 'GET', url });
        assert.equal(r.statusCode, 200, url);
        assert.match(r.body, /Zoë Martin|Maryam Karimi|"slug"/, url);
        assert.doesNotMatch(r.body, /mailUndeliverable|mailRefused|mail refused|No such mailbox/, url);
      }
    });

    test('delivery: a 5xx from our SMTP server leaves the target failed (never bounced); a sent one is marked bounced once of 20 at once', async () => {
      const letter = (await app!.store.letters.bySlug('mail'))!;
      await app!.store.deliveries.putTargets(letter.id, [
        { id: 'target-office', letterId: letter.id, name: 'Ilir Meta', title: 'President', email: 'office@president.example', lang: 'en' },
        { id: 'target-gone', letterId: letter.id, name: 'دفتر ریاست جمهوری', email: 'gone@president.example', lang: 'fa' },
      ]);
      refused.add('gone@president.example');
      // The PDF is not the subject here: fixed bytes in place of the chromium drawing.
      const bytes = new TextEncoder().encode('%PDF-1.4\n%%EOF\n');
      const pdfs = { pdf: async () => ({ bytes, sha256: createHash('sha256').update(bytes).digest('base64'), meta: { treeSize: 2 } }) };
      const run = await deliverLetter(app!.deps, pdfs, 'mail', { actor: OWNER });
      await flush();
      const rows = async () => new Map((await app!.store.deliveries.byLetter(letter.id)).filter((d) => d.run === run.run).map((d) => [d.targetId, d]));
      const settled = await rows();
      assert.equal(settled.get('target-office')!.status, 'sent');
      assert.equal(settled.get('target-gone')!.status, 'failed');
      assert.match(settled.get('target-gone')!.error ?? '', /550[\s\S]*No such mailbox here/);
      assert.ok(peer!.mails.some((m) => m.to.includes('office@president.example')), 'the PDF reached the accepting server');

      const bounce = (id: string) => http.inject({ method: 'POST', url: `/api/v1/organise/letters/mail/deliveries/${encodeURIComponent(id)}/bounce`, ...json({ bounce: `The message to office@president.example bounced: 550 5.2.1 Mailbox disabled (${Math.random()})` }, { authorization: `Bearer ${ownerToken}` }) });
      const failed = await bounce(settled.get('target-gone')!.id);
      assert.deepEqual([failed.statusCode, failed.json().error.code], [409, 'DELIVERY_NOT_SENT'], 'a failed delivery stays failed');
      const answers = await Promise.all(Array.from({ length: 20 }, () => bounce(settled.get('target-office')!.id)));
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, ...Array(19).fill(409)]);
      const after = await rows();
      assert.equal(after.get('target-office')!.status, 'bounced');
      assert.equal(after.get('target-office')!.sentAt, settled.get('target-office')!.sentAt, 'it was sent: the time stays');
      assert.equal(after.get('target-gone')!.status, 'failed');
      const trail = (await app!.store.desk.audit(letter.id, 1000)).filter((e) => e.action === 'bounce');
      assert.equal(trail.length, 1, 'one audit entry for the one mark that landed');
      assert.equal(trail[0]!.detail.target, 'Ilir Meta');
      await new Promise((r) => setTimeout(r, 2100)); // the public delivery note is read at most every 2 s
      const pub = (await http.inject({ method: 'GET', url: '/api/v1/letters/mail' })).json() as { delivery: { targets: { name: string; status: string; deliveredAt: string | null }[] } };
      assert.deepEqual(pub.delivery.targets.map((x) => [x.name, x.status, x.deliveredAt]), [['Ilir Meta', 'bounced', null], ['دفتر ریاست جمهوری', 'failed', null]]);
      assert.doesNotMatch(JSON.stringify(pub), /Mailbox disabled|No such mailbox|president\.example/);
    });
  });
}
