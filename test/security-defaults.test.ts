/**
 * Safe by default (issue 15, items 1 and 2), against real `undersigned serve` processes: the server listens on
 * 127.0.0.1 unless told otherwise and says so; /dev/outbox answers only a client on this machine that came through no
 * proxy, and never while real SMTP is configured; a Host that is not ours is refused (DNS rebinding); every form
 * compares Origin with the configured origin (scheme, host and port), never with the request's own Host.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';
import { publishLetter } from './support/seed.ts';
import { postJsonAlone, requestAlone, startServe, type Served } from './support/serve.ts';

const BASE = 'http://letters.test';
const HOST = 'letters.test';
const root = join(import.meta.dirname, '..');

/** This machine's first non-loopback IPv4 address, if it has one (to be a client that is not loopback). */
function lanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

test('npm start listens on 127.0.0.1 by default and says so at start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-sec-'));
  const proc = spawn(process.execPath, [join(root, 'bin/undersigned.js'), 'serve', '--port', '0'], { cwd: root, env: { ...process.env, UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_DATABASE_URL: '', UNDERSIGNED_HOST: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.setEncoding('utf8');
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line: ${err}`)), 60_000);
      proc.stderr!.on('data', (d: string) => {
        err += d;
        if (/can reach it/.test(err)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', () => reject(new Error(`serve exited: ${err}`)));
    });
    assert.match(err, /listening on 127\.0\.0\.1:\d+\)/);
    assert.match(err, /Only this machine can reach it \(127\.0\.0\.1\); set UNDERSIGNED_HOST=0\.0\.0\.0/);
    assert.match(err, /Development pages \(\/dev\/outbox\) answer loopback clients only/);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('development pages and the Host header', () => {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-sec-'));
  let s: Served;
  let smtp: Served;
  const lan = lanAddress();
  before(async () => {
    const store = await openSqliteStore(join(dir, 'undersigned.db'));
    await publishLetter(store, 'open', BASE);
    await store.close();
    s = await startServe({ UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_BASE_URL: BASE }, { args: ['--host', '0.0.0.0'] });
    // A signature, so that the outbox holds a mail with an address and a working link.
    const r = await postJsonAlone(`${s.url}/api/v1/letters/open/signatures`, { name: 'Sara Outbox', email: 'sara@example.org' });
    assert.equal(r.status, 202);
    const smtpDir = mkdtempSync(join(tmpdir(), 'undersigned-sec-smtp-'));
    smtp = await startServe({ UNDERSIGNED_DATA_DIR: smtpDir, UNDERSIGNED_SMTP_URL: 'smtp://127.0.0.1:9', UNDERSIGNED_DEV: 'true', UNDERSIGNED_BASE_URL: BASE });
  });
  after(async () => {
    await s?.stop();
    await smtp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('/dev/outbox answers a loopback client', async () => {
    const r = await requestAlone(`${s.url}/dev/outbox`);
    assert.equal(r.status, 200);
    assert.match(r.text, /sara@example\.org/);
  });

  test('/dev/outbox is a 404 through a proxy on this machine (X-Forwarded-For, Forwarded, X-Real-IP)', async () => {
    for (const h of [{ 'x-forwarded-for': '203.0.113.9' }, { forwarded: 'for=203.0.113.9' }, { 'x-real-ip': '203.0.113.9' }] as Record<string, string>[]) {
      const r = await requestAlone(`${s.url}/dev/outbox`, { headers: h });
      assert.equal(r.status, 404, JSON.stringify(h));
      assert.doesNotMatch(r.text, /sara@example\.org/);
    }
  });

  test('/dev/outbox is a 404 to a client on another address', { skip: lan ? false : 'no non-loopback address on this machine' }, async () => {
    const port = new URL(s.url).port;
    const r = await requestAlone(`http://${lan}:${port}/dev/outbox`, { localAddress: lan, headers: { host: HOST } });
    assert.equal(r.status, 404);
    assert.doesNotMatch(r.text, /sara@example\.org/);
    // The same client reaches the public pages.
    assert.equal((await requestAlone(`http://${lan}:${port}/en/letters/open`, { localAddress: lan, headers: { host: HOST } })).status, 200);
  });

  test('/dev/outbox does not exist while real SMTP is configured, even with UNDERSIGNED_DEV=true', async () => {
    const r = await requestAlone(`${smtp.url}/dev/outbox`);
    assert.equal(r.status, 404);
    assert.match(smtp.stderr(), /mail via SMTP/);
    assert.doesNotMatch(smtp.stderr(), /Development pages/);
  });

  test('a Host that is not the base URL\'s, nor a loopback name, is refused with 421 HOST_NOT_ALLOWED', async () => {
    const port = new URL(s.url).port;
    for (const host of [`evil.example:${port}`, 'evil.example', `letters.test.evil.example`, 'letters.test@evil.example', '[::2]']) {
      const api = await requestAlone(`${s.url}/api/v1/letters/open`, { headers: { host } });
      assert.equal(api.status, 421, host);
      assert.equal(api.json().error.code, 'HOST_NOT_ALLOWED', host);
      const page = await requestAlone(`${s.url}/en/letters/open`, { headers: { host } });
      assert.equal(page.status, 421);
      assert.doesNotMatch(page.text, /Letter/);
    }
    for (const host of [HOST, `${HOST}:8443`, `127.0.0.1:${port}`, `localhost:${port}`, 'LETTERS.TEST']) {
      assert.equal((await requestAlone(`${s.url}/en/letters/open`, { headers: { host } })).status, 200, host);
    }
    // Load balancers ask for /healthz by address.
    assert.equal((await requestAlone(`${s.url}/healthz`, { headers: { host: '10.1.2.3:3000' } })).status, 200);
  });
});

describe('the cross-origin check on every form compares Origin with the configured origin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-sec-'));
  let s: Served;
  before(async () => {
    const store = await openSqliteStore(join(dir, 'undersigned.db'));
    await publishLetter(store, 'open', BASE);
    await store.close();
    s = await startServe({ UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_BASE_URL: BASE });
  });
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const forms = [
    '/en/letters/open/sign',
    '/en/confirm',
    '/en/confirm/renew',
    '/en/withdraw',
    '/en/organise/login',
    '/en/organise/login/complete',
    '/en/organise/logout',
    '/en/organise/new',
    '/en/organise/letters/open/edit',
    '/en/organise/letters/open/state',
    '/en/organise/letters/open/reviews/r1',
    '/en/organise/letters/open/log',
  ];
  const body = new URLSearchParams({ name: 'Rebound Visitor', email: 'rebound@example.org', token: 'x', to: 'closed' }).toString();
  const post = (path: string, headers: Record<string, string>) => requestAlone(`${s.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

  test('DNS rebinding (Origin and Host both evil, Sec-Fetch-Site same-origin): refused on every form', async () => {
    const port = new URL(s.url).port;
    for (const path of forms) {
      const r = await post(path, { host: `evil.example:${port}`, origin: `http://evil.example:${port}`, 'sec-fetch-site': 'same-origin' });
      assert.equal(r.status, 421, path);
      // With the Host check passed (a rebinding to a name we serve is not possible, but the Origin check stands alone):
      const o = await post(path, { host: HOST, origin: `http://evil.example:${port}`, 'sec-fetch-site': 'same-origin' });
      assert.equal(o.status, 403, path);
      // The confirmation and withdrawal pages draw the link's page again (an unknown token here); the others say why.
      if (!/^\/en\/(confirm|withdraw)/.test(path)) assert.match(o.text, /This form was sent from another website/, path);
    }
  });

  test('scheme, port and host variants of the configured origin are refused; the configured origin passes', async () => {
    const variants = ['https://letters.test', 'http://letters.test:8080', 'http://www.letters.test', 'http://127.0.0.1', 'null', 'http://letters.test.evil.example'];
    for (const path of forms) {
      for (const origin of variants) {
        // `Origin: null` with Sec-Fetch-Site same-origin is our own page under a no-referrer policy: judged below.
        for (const site of origin === 'null' ? [undefined, 'same-site', 'cross-site'] : [undefined, 'same-origin', 'cross-site']) {
          const r = await post(path, { host: HOST, origin, ...(site ? { 'sec-fetch-site': site } : {}) });
          assert.equal(r.status, 403, `${path} ${origin} ${site}`);
          if (!/^\/en\/(confirm|withdraw)/.test(path)) assert.match(r.text, /This form was sent from another website/, `${path} ${origin} ${site}`);
        }
      }
      // Our own origin passes the cross-origin check (organiser forms then want their CSRF token or a session), and
      // so does `Origin: null` when the browser says the form is ours (a page of ours under `no-referrer`).
      for (const origin of [BASE, 'null']) {
        const ok = await post(path, { host: HOST, origin, 'sec-fetch-site': 'same-origin' });
        assert.doesNotMatch(ok.text, /This form was sent from another website/, `${path} ${origin}`);
        assert.ok(ok.status < 500, `${path} ${origin}: ${ok.status}`);
      }
    }
  });

  test('nothing was signed by the refused forms', async () => {
    const r = await requestAlone(`${s.url}/dev/outbox`);
    const mails = r.text.match(/rebound@example\.org/g) ?? [];
    assert.ok(mails.length <= 2, `at most the two accepted same-origin posts mailed (${mails.length})`);
  });
});
