/** Nothing is lost while SMTP is down: the outbox keeps the mail and retries with backoff through a real SMTP peer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSmtp } from './support/smtp.ts';
import { SmtpMailer } from '../src/adapters/mail/smtp.ts';
import { DevOutboxMailer, readDevOutbox } from '../src/adapters/mail/dev-outbox.ts';
import { MemoryStore } from '../src/adapters/storage/memory/index.ts';
import { backoffMs, deliverDue, OutboxWorker } from '../src/use-cases/workers/deliver-outbox.ts';
import { mailTemplates } from '../src/adapters/mail/templates.ts';
import { nodeSecrets } from '../src/adapters/node-secrets.ts';
import { nodeLogCrypto } from '../src/adapters/crypto/node-crypto.ts';
import { TestClock } from './support/app.ts';
import type { Deps } from '../src/use-cases/deps.ts';
import type { Mailer } from '../src/core/ports.ts';
import type { MailMessage } from '../src/core/model.ts';

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

test('backoff doubles and is capped', () => {
  assert.deepEqual([1, 2, 3, 4].map(backoffMs), [1000, 2000, 4000, 8000]);
  assert.equal(backoffMs(40), 3600_000);
});

test('a mail queued while SMTP is down is retried later and delivered once', async () => {
  const clock = new TestClock();
  const store = new MemoryStore();
  const deps: Deps = { store, clock, secrets: nodeSecrets, templates: mailTemplates, baseUrl: 'http://x', log: { crypto: nodeLogCrypto, opening: () => new Uint8Array(32) }, signals: { mailQueued() {}, logQueued() {}, letterChanged() {} } };
  const msg = mailTemplates.confirmSignature({ lang: 'fa', letterTitle: 'نامه', name: 'مریم', link: 'http://x/fa/confirm?token=abc', expiresAt: '2026-03-08T10:00:00.000Z' });
  await store.outbox.enqueue({ id: 'job-1', kind: 'mail', payload: { ...msg, to: 'maryam@example.org' }, runAt: clock.now().toISOString(), attempts: 0, createdAt: clock.now().toISOString() });

  const down = new SmtpMailer(`smtp://127.0.0.1:${await closedPort()}?tls=off`, 'Letters <l@example.org>');
  const failedRun = await deliverDue(deps, down);
  assert.deepEqual([failedRun.sent, failedRun.failed, failedRun.rejected], [0, 1, 0]);
  await down.close();
  const [job] = await store.outbox.list();
  assert.equal(job?.attempts, 1);
  assert.ok(job?.lastError);
  assert.equal(job?.runAt, new Date(clock.t + 1000).toISOString(), 'retry in one second');

  const smtp = await startSmtp();
  const up = new SmtpMailer(smtp.url, 'Letters <l@example.org>');
  assert.deepEqual(await deliverDue(deps, up), { sent: 0, failed: 0, rejected: 0 }, 'not due yet');
  clock.advance(1000);
  assert.deepEqual(await deliverDue(deps, up), { sent: 1, failed: 0, rejected: 0 });
  clock.advance(60_000);
  assert.deepEqual(await deliverDue(deps, up), { sent: 0, failed: 0, rejected: 0 }, 'sent once');
  assert.equal(smtp.mails.length, 1);
  assert.match(smtp.mails[0]!.subject, /امضای خود را تأیید کنید: نامه/);
  assert.match(smtp.mails[0]!.text, /token=abc/);
  await up.close();
  await smtp.close();
});

test('the dev outbox writes whole mails that the CLI and the dev page read back, newest first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-outbox-'));
  let t = 0;
  const m = new DevOutboxMailer(dir, () => new Date(Date.parse('2026-01-01T00:00:00Z') + t++ * 1000));
  await m.send({ to: 'a@example.org', subject: 'first', text: 'one', lang: 'en', template: 'confirm' });
  await m.send({ to: 'b@example.org', subject: 'دوم', text: 'دو', lang: 'fa', template: 'confirm' });
  const got = readDevOutbox(dir);
  assert.deepEqual(got.map((x) => x.subject), ['دوم', 'first']);
  rmSync(dir, { recursive: true, force: true });
});

test('the worker keeps no more mails in flight than its mailer says it sends well (SMTP: within the lease), and tops them up before they run dry', async () => {
  const clock = new TestClock();
  const store = new MemoryStore();
  const deps: Deps = { store, clock, secrets: nodeSecrets, templates: mailTemplates, baseUrl: 'http://x', log: { crypto: nodeLogCrypto, opening: () => new Uint8Array(32) }, signals: { mailQueued() {}, logQueued() {}, letterChanged() {} } };
  const msg = mailTemplates.confirmSignature({ lang: 'en', letterTitle: 'Letter', name: 'Zoe', link: 'http://x/en/confirm?token=abc', expiresAt: '2026-03-08T10:00:00.000Z' });
  for (let i = 0; i < 10; i++) {
    await store.outbox.enqueue({ id: `job-${i}`, kind: 'mail', payload: { ...msg, to: `z${i}@example.org` }, runAt: clock.now().toISOString(), attempts: 0, createdAt: clock.now().toISOString() });
  }
  // A slow mailer: sends wait until released, so what one claim took is what is in flight.
  const waiting: (() => void)[] = [];
  const sent: MailMessage[] = [];
  const slow: Mailer = {
    batch: 3,
    send: (m) => new Promise<void>((resolve) => waiting.push(() => {
      sent.push(m);
      resolve();
    })),
    close: async () => {},
  };
  const worker = new OutboxWorker(deps, slow, 10);
  worker.start();
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  };
  // Mails are let go one at a time, oldest first; what is waiting at each moment is what is in flight.
  const inFlight: number[] = [];
  while (sent.length < 10) {
    await until(() => waiting.length > 0);
    await new Promise((r) => setTimeout(r, 20)); // anything else a claim took would have started by now
    inFlight.push(waiting.length);
    waiting.shift()!();
  }
  await worker.stop();
  assert.ok(Math.max(...inFlight) <= 3, `never more than the mailer's batch in flight: ${inFlight.join(' ')}`);
  // Pipelined: once half of a claim has gone out the next claim tops the connections up, so the mailer is kept
  // busy (3 or 2 in flight) until the queue runs dry, rather than draining to 0 between claims.
  assert.deepEqual(inFlight.slice(0, 8).filter((x) => x < 2), [], `kept busy: ${inFlight.join(' ')}`);
  assert.equal(inFlight.at(-1), 1);
  assert.equal(new Set(sent.map((m) => m.to)).size, 10, 'each mail once');
});
