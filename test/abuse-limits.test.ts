/**
 * Issue 15, item 9: signing again after a withdrawal mails a new link (real serve, SQLite and PostgreSQL); sign-in
 * links to one address are limited per hour; one signing limit per client across the form and the API; a slow
 * request body is answered 408 and let go; a mail server outage is reported once, and its end once; start-up errors
 * name the path and the fix; `mail outbox` prints no raw control characters.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../src/core/ports.ts';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';
import { openPostgresStore } from '../src/adapters/storage/postgres/index.ts';
import { readDevOutbox } from '../src/adapters/mail/dev-outbox.ts';
import { shown } from '../src/adapters/cli/commands/mail.ts';
import { OutboxWorker, type MailOutage } from '../src/use-cases/workers/deliver-outbox.ts';
import { LOGIN_LINKS_PER_HOUR } from '../src/adapters/http/kit/limits.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';
import { publishLetter } from './support/seed.ts';
import { eventually, postJsonAlone, requestAlone, startServe, type Served } from './support/serve.ts';
import { Browser, MemoryMailer, openLetter, testApp, type TestApp } from './support/app.ts';

const BASE = 'http://abuse.test';
const root = join(import.meta.dirname, '..');

for (const dbKind of ['SQLite', 'PostgreSQL'] as const) {
  describe(`signing again after a withdrawal mails a new link: ${dbKind}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-resign-'));
    let s: Served;
    let pg: TestDatabase | undefined;
    before(async () => {
      const env: Record<string, string> = { UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_BASE_URL: BASE };
      let store: Store;
      if (dbKind === 'PostgreSQL') {
        pg = await createTestDatabase();
        env.UNDERSIGNED_DATABASE_URL = pg.url;
        store = await openPostgresStore(pg.url, { foldIntervalMs: 0 });
      } else store = await openSqliteStore(join(dir, 'undersigned.db'));
      await publishLetter(store, 'again', BASE);
      await store.close();
      s = await startServe(env);
    });
    after(async () => {
      await s?.stop();
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    const confirmMails = () => readDevOutbox(join(dir, 'outbox'), 100).filter((m) => m.template === 'confirm' && m.to === 'leila@example.org');
    const tokenIn = (text: string) => /confirm\?token=([A-Za-z0-9_-]+)/.exec(text)![1]!;

    test('sign, confirm, withdraw, sign again: a second confirmation mail with a new link, which confirms', async () => {
      assert.equal((await postJsonAlone(`${s.url}/api/v1/letters/again/signatures`, { name: 'Leila Again', email: 'leila@example.org' })).status, 202);
      const first = await eventually(async () => confirmMails()[0], 20_000, 'the first confirmation mail');
      assert.equal((await postJsonAlone(`${s.url}/api/v1/confirmations`, { token: tokenIn(first.text) })).status, 200);
      const withdrawToken = /withdraw\?token=([A-Za-z0-9_-]+)/.exec(first.text)![1]!;
      const w = await requestAlone(`${s.url}/en/withdraw`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE }, body: `token=${withdrawToken}` });
      assert.equal(w.status, 200);
      assert.equal((await postJsonAlone(`${s.url}/api/v1/letters/again/signatures`, { name: 'Leila Again', email: 'leila@example.org' })).status, 202);
      const mails = await eventually(async () => (confirmMails().length >= 2 ? confirmMails() : undefined), 20_000, 'a second confirmation mail');
      const tokens = new Set(mails.map((m) => tokenIn(m.text)));
      assert.equal(tokens.size, 2, 'a new link');
      const newest = mails.find((m) => m.text !== first.text)!;
      const again = await postJsonAlone(`${s.url}/api/v1/confirmations`, { token: tokenIn(newest.text) });
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal((await requestAlone(`${s.url}/api/v1/letters/again`)).json().count >= 0, true);
    });
  });
}

describe('limits per address and per client', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ UNDERSIGNED_RATE_LIMIT: '5' });
    await openLetter(t);
  });
  after(async () => t?.close());

  test(`sign-in links to one address: ${LOGIN_LINKS_PER_HOUR} an hour, then 429 with Retry-After; other addresses unaffected`, async () => {
    const b = new Browser(t.http);
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LINKS_PER_HOUR + 1; i++) {
      const variant = ['victim@example.org', 'Victim@Example.org', 'victim+x@example.org', 'VICTIM@example.org'][i]!;
      statuses.push((await b.post('/en/organise/login', { email: variant }, '/en/organise')).statusCode);
    }
    assert.deepEqual(statuses.slice(0, LOGIN_LINKS_PER_HOUR), Array(LOGIN_LINKS_PER_HOUR).fill(200));
    assert.equal(statuses.at(-1), 429);
    await t.flushMail();
    assert.equal(t.mailer.sent.filter((m) => m.template === 'login' && m.to.toLowerCase().startsWith('victim')).length, LOGIN_LINKS_PER_HOUR);
    assert.equal((await new Browser(t.http).post('/en/organise/login', { email: 'someone-else@example.org' }, '/en/organise')).statusCode, 200);
  });

  test('one signing limit per client across the form and the API (5 a minute here)', async () => {
    const b = new Browser(t.http);
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) {
      if (i % 2 === 0) answers.push((await b.post('/en/letters/albania/sign', { name: 'Limit Person', email: `form${i}@example.org` })).statusCode);
      else answers.push((await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', payload: { name: 'Limit Person', email: `api${i}@example.org` } })).statusCode);
    }
    assert.deepEqual(answers, [303, 202, 303, 202, 303, 429]);
  });
});

test('a request body that never finishes is answered 408 in our format and the connection closed', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-slow-'));
  const s = await startServe({ UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_BASE_URL: BASE });
  try {
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(Number(new URL(s.url).port), '127.0.0.1', () => {
        sock.write('POST /api/v1/confirmations HTTP/1.1\r\nHost: abuse.test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"tok');
      });
      let data = '';
      sock.setEncoding('utf8');
      sock.on('data', (d: string) => void (data += d));
      sock.on('close', () => resolve(data));
      sock.on('error', reject);
      // A trickle: one byte every 5 s, never the whole body.
      const drip = setInterval(() => sock.writable && sock.write('e'), 5_000);
      sock.on('close', () => clearInterval(drip));
    });
    const took = Date.now() - started;
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.match(answer, /"code":"REQUEST_TIMEOUT"/);
    assert.ok(took < 60_000, `closed after ${took} ms`);
    // Other clients were served meanwhile and still are.
    assert.equal((await requestAlone(`${s.url}/healthz`)).status, 200);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a mail server outage is reported once when it starts and once when it ends, however many mails wait', async () => {
  const t = await testApp();
  try {
    await openLetter(t);
    // The app's own worker (woken by each signing) stays out of it: this test runs one over a failing mailer.
    await t.app.worker.stop();
    for (let i = 0; i < 5; i++) await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', payload: { name: 'Outage Person', email: `o${i}@example.org` } });
    const mailer = new MemoryMailer();
    mailer.failNext = 1_000;
    const events: MailOutage[] = [];
    const worker = new OutboxWorker(t.app.deps, mailer, 20, () => undefined, (o) => events.push(o));
    worker.start();
    await new Promise((r) => setTimeout(r, 300));
    // Backoff means later tries wait; move the clock on so that they run again, and fail again.
    for (let i = 0; i < 5; i++) {
      t.clock.advance(10 * 60_000);
      worker.poke();
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(events.map((e) => e.state), ['down']);
    assert.match((events[0] as { error: string }).error, /SMTP unavailable/);
    mailer.failNext = 0;
    t.clock.advance(7 * 24 * 3600_000);
    worker.poke();
    await eventually(async () => (mailer.sent.length >= 5 ? true : undefined), 10_000, 'the mails sent after the outage');
    await worker.stop();
    assert.deepEqual(events.map((e) => e.state), ['down', 'up']);
  } finally {
    await t.close();
  }
});

test('start-up errors name the path and the fix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-start-'));
  try {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    const run = (dataDir: string) => spawnSync(process.execPath, [join(root, 'bin/undersigned.js'), 'serve', '--port', '0'], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, UNDERSIGNED_DATA_DIR: dataDir, UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_DATABASE_URL: '' } });
    const notDir = run(join(file, 'data'));
    assert.equal(notDir.status, 2, notDir.stderr);
    assert.match(notDir.stderr, new RegExp(`cannot create the data directory ${join(file, 'data').replace(/[/.]/g, '\\$&')} \\(ENOTDIR\\)`));
    assert.match(notDir.stderr, /UNDERSIGNED_DATA_DIR or --data-dir/);
    const bad = join(dir, 'bad');
    rmSync(bad, { recursive: true, force: true });
    spawnSync('mkdir', [bad]);
    writeFileSync(join(bad, 'undersigned.db'), 'this is no SQLite database, just text that is long enough to be read as one '.repeat(20));
    const notDb = run(bad);
    assert.equal(notDb.status, 2, notDb.stderr);
    assert.match(notDb.stderr, new RegExp(`cannot open the database ${join(bad, 'undersigned.db').replace(/[/.]/g, '\\$&')}`));
    assert.doesNotMatch(notDb.stderr, /at \S+ \(/, 'no stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mail outbox shows control characters as escapes, never raw', () => {
  assert.equal(shown('Sara\u001b]0;pwned\u0007 Ahmadi'), 'Sara\\u{1b}]0;pwned\\u{7} Ahmadi');
  assert.equal(shown('line one\nline\ttwo\r\u009b31m', true), 'line one\nline\ttwo\\u{d}\\u{9b}31m');
  assert.equal(shown('مریم رضایی‌زاده'), 'مریم رضایی‌زاده');
});
