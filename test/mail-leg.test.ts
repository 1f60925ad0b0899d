/**
 * The mail leg through a real `undersigned serve` process and a real SMTP peer: DKIM signatures that verify, our own
 * Message-ID, a recipient refused for good (5xx) not tried again and counted as undeliverable, a temporary refusal
 * (4xx) tried again until it goes out, GET /health, and the signing answer's back-pressure while mail cannot go out.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';
import { letterFixture, versionsFixture } from '../src/adapters/storage/store.case.ts';
import { startSmtp } from './support/smtp.ts';
import { eventually, postJsonAlone, requestAlone, startServe, type Served } from './support/serve.ts';

const { dkimVerify } = createRequire(import.meta.url)('mailauth/lib/dkim/verify') as {
  dkimVerify(raw: Buffer, opts: { resolver: (name: string, type: string) => Promise<string[][]> }): Promise<{ results: { status: { result: string }; signingDomain: string }[] }>;
};

const BASE = 'http://mail.test';

async function publish(dir: string, slug: string): Promise<void> {
  const store = await openSqliteStore(join(dir, 'undersigned.db'), { foldIntervalMs: 0 });
  await store.letters.insert(letterFixture({ slug, defaultLang: 'en' }), versionsFixture);
  await store.close();
}

const health = async (url: string) => (await requestAlone(`${url}/health`)).json();

describe('mail through a real SMTP peer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-mail-'));
  let s: Served | undefined;
  let peer: Awaited<ReturnType<typeof startSmtp>> | undefined;
  after(async () => {
    await s?.stop();
    await peer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('DKIM verifies, a 5xx recipient is tried once and undeliverable, a 4xx one is retried until sent; /health counts them', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(dir, 'dkim.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const dnsKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const rcpt = new Map<string, number>();
    peer = await startSmtp({
      refuse: (address) => {
        const n = (rcpt.get(address) ?? 0) + 1;
        rcpt.set(address, n);
        if (address === 'nobody@example.org') return { code: 550, message: '5.1.1 No such mailbox here' };
        if (address === 'busy@example.org' && n === 1) return { code: 451, message: '4.3.0 Try again later' };
        return undefined;
      },
    });
    s = await startServe({
      UNDERSIGNED_DATA_DIR: dir,
      UNDERSIGNED_RATE_LIMIT: 'off',
      UNDERSIGNED_BASE_URL: BASE,
      UNDERSIGNED_SMTP_URL: peer.url,
      UNDERSIGNED_MAIL_FROM: 'Letters <letters@mail.example.org>',
      UNDERSIGNED_DKIM_DOMAIN: 'mail.example.org',
      UNDERSIGNED_DKIM_SELECTOR: 'u2026',
      UNDERSIGNED_DKIM_KEY: keyFile,
    });
    await publish(dir, 'mail');
    for (const email of ['maryam@example.org', 'nobody@example.org', 'busy@example.org']) {
      const r = await postJsonAlone(`${s.url}/api/v1/letters/mail/signatures`, { name: 'Maryam Mail', email, visibility: 'public', lang: 'en' });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.equal(r.body.mailDelayed, false);
    }

    const mail = await peer.waitFor((m) => m.to.includes('maryam@example.org'), 20_000);
    assert.match(mail.raw, /^Auto-Submitted: auto-generated$/im);
    assert.match(mail.raw, /^Message-ID: <[0-9a-f]{24}@mail\.example\.org>$/im);
    const asked: string[] = [];
    const verified = await dkimVerify(Buffer.from(mail.raw), {
      resolver: async (name) => {
        asked.push(name);
        return name === 'u2026._domainkey.mail.example.org' ? [[`v=DKIM1; k=rsa; p=${dnsKey}`]] : [];
      },
    });
    assert.deepEqual(asked, ['u2026._domainkey.mail.example.org']);
    assert.equal(verified.results.length, 1);
    assert.equal(verified.results[0]!.status.result, 'pass', JSON.stringify(verified.results[0]));
    assert.equal(verified.results[0]!.signingDomain, 'mail.example.org');

    // The 451 is temporary: tried again after its backoff, it goes out once.
    await peer.waitFor((m) => m.to.includes('busy@example.org'), 20_000);
    assert.equal(rcpt.get('busy@example.org'), 2);

    // The 550 is final: counted as undeliverable, never tried again.
    const h = await eventually(async () => {
      const x = await health(s!.url);
      return x.outbox?.undeliverable === 1 && x.outbox.waiting === 0 ? x : undefined;
    }, 20_000, 'the refused address counted as undeliverable');
    assert.equal(h.status, 'ok');
    assert.equal(h.database, 'ok');
    assert.equal(h.outbox.retrying, 0);
    assert.equal(typeof h.log.queued, 'number');
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(rcpt.get('nobody@example.org'), 1, 'a 5xx recipient is not tried again');
    assert.equal(peer.mails.filter((m) => m.to.includes('nobody@example.org')).length, 0);
    assert.equal(peer.mails.filter((m) => m.to.includes('busy@example.org')).length, 1);
    assert.doesNotMatch(JSON.stringify(h), /@/, 'the health report names no address');
  });
});

describe('back-pressure while mail cannot go out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-backlog-'));
  let s: Served | undefined;
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('past the backlog limit every signing is still stored and answered, and told its mail may take a few minutes', async () => {
    // A port nobody listens on: every send fails and waits for its retry.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    s = await startServe({
      UNDERSIGNED_DATA_DIR: dir,
      UNDERSIGNED_RATE_LIMIT: 'off',
      UNDERSIGNED_BASE_URL: BASE,
      UNDERSIGNED_SMTP_URL: `smtp://127.0.0.1:${port}?tls=off`,
      UNDERSIGNED_MAIL_BACKLOG_LIMIT: '3',
    });
    await publish(dir, 'surge');
    const answers: { status: number; delayed: boolean }[] = [];
    let i = 0;
    await eventually(async () => {
      const r = await postJsonAlone(`${s!.url}/api/v1/letters/surge/signatures`, { name: `Signer ${i}`, email: `s${i++}@example.org`, lang: 'en' });
      answers.push({ status: r.status, delayed: r.body.mailDelayed });
      await new Promise((x) => setTimeout(x, 100));
      return r.body.mailDelayed === true ? true : undefined;
    }, 20_000, 'a signing answer saying the mail is delayed');
    assert.ok(answers.every((a) => a.status === 202), JSON.stringify(answers));
    assert.ok(answers.slice(0, 3).every((a) => !a.delayed), 'below the limit the answer says nothing of a delay');

    const h = await health(s.url);
    assert.equal(h.status, 'backlogged');
    assert.ok(h.outbox.waiting >= 4, JSON.stringify(h));
    assert.equal(h.outbox.limit, 3);

    // The form: stored, and the thanks page says why the mail is slow.
    const form = new URLSearchParams({ name: 'Form Signer', email: 'form@example.org' }).toString();
    const posted = await requestAlone(`${s.url}/en/letters/surge/sign`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE }, body: form });
    assert.equal(posted.status, 303, posted.text);
    assert.equal(posted.headers.location, '/en/letters/surge/thanks?mail=delayed');
    const thanks = await requestAlone(`${s.url}${posted.headers.location}`);
    assert.match(thanks.text, /may take a few minutes/);
    const after = await eventually(async () => {
      const x = await health(s!.url);
      return x.outbox.waiting >= answers.length + 1 ? x : undefined;
    }, 10_000, 'every signing queued its mail');
    assert.equal(after.status, 'backlogged');
  });
});
