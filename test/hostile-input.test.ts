/**
 * No 5xx for any input (issue 15, item 3), against real `serve` processes on SQLite and on PostgreSQL: NULs, bad
 * percent-encoding, over-long URLs and headers, unknown methods, paths out of the assets folder, bad language tags;
 * a database that goes away answers 503 SERVER_BUSY with Retry-After and recovers when it is back; a full disk too.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../src/core/ports.ts';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';
import { openPostgresStore } from '../src/adapters/storage/postgres/index.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';
import { publishLetter } from './support/seed.ts';
import { eventually, postJsonAlone, requestAlone, startServe, type Served } from './support/serve.ts';
import { tcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { Browser, faEnLetter, signInOrganiser, testApp, openLetter, type TestApp } from './support/app.ts';

const BASE = 'http://hostile.test';

/** One raw HTTP/1.1 request (anything may be in it); the status and body of the answer. */
export function rawRequest(port: number, text: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let data = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => void (data += d));
    const timer = setTimeout(() => s.destroy(new Error('no answer in 10 s')), 10_000);
    s.on('close', () => {
      clearTimeout(timer);
      const [head = '', ...rest] = data.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: rest.join('\r\n\r\n') });
    });
    s.on('error', reject);
  });
}

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: hostile.test\r\n${extra}Connection: close\r\n\r\n`;
const post = (path: string, type: string, body: string) =>
  `POST ${path} HTTP/1.1\r\nHost: hostile.test\r\nContent-Type: ${type}\r\nSec-Fetch-Site: same-origin\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** [request, expected status (or 0: any 4xx), what it is]. */
const CASES: [string, number, string][] = [
  [get('/api/v1/letters/x%00/stats'), 404, 'NUL in an API slug'],
  [get('/api/v1/letters/x%00'), 404, 'NUL in an API slug'],
  [get('/en/letters/x%00'), 404, 'NUL in a page slug'],
  [get('/x%00/privacy'), 404, 'NUL in a language tag'],
  [get('/en/receipts/%00%01'), 404, 'control characters in a token'],
  [get('/log/tile/0/x%00'), 404, 'NUL in a tile path'],
  [get('/assets/%2e%2e/%2e%2e/package.json'), 404, 'dot segments out of the assets folder'],
  [get('/assets/..%2f..%2fpackage.json'), 404, 'encoded slashes out of the assets folder'],
  [get('/assets/fonts/%2e%2e/%2e%2e/%2e%2e/package.json'), 404, 'out of the fonts folder'],
  [get('/assets/%5c..%5cpackage.json'), 404, 'backslashes'],
  [get('/%ZZ'), 400, 'bad percent-encoding'],
  [get('/api/v1/letters/%E0%A4%A'), 400, 'truncated UTF-8 in the API'],
  [get('/en/letters/%E0%A4%A'), 400, 'truncated UTF-8 in a page'],
  [get(`/en/letters/${'a'.repeat(300)}`), 414, 'an over-long slug'],
  [get(`/${'a'.repeat(9000)}`), 414, 'an over-long URL'],
  [get(`/${'a'.repeat(20000)}`), 431, 'a request line over 16 KiB'],
  [get('/en/', `X-Big: ${'a'.repeat(20000)}\r\n`), 431, 'a header over 16 KiB'],
  ['FOO / HTTP/1.1\r\nHost: hostile.test\r\nConnection: close\r\n\r\n', 405, 'an unknown method'],
  ['PROPFIND /en/ HTTP/1.1\r\nHost: hostile.test\r\nConnection: close\r\n\r\n', 404, 'a method with no route'],
  [get('/api/v1/letters/open/signatures?lang=x%00'), 400, 'NUL in a query field'],
  [get('/api/v1/letters/open/signatures?lang=zz-%21%21&page=1e400'), 0, 'a bad tag and a huge page'],
  [get('/en/letters/open?page=-99999999999999999999'), 200, 'a negative page'],
  [get('/en/confirm?token=%00'), 400, 'NUL in a token query'],
  [get('/zz-Qqqq-999/privacy'), 302, 'an unknown language tag'],
  [get('/en/letters/open', 'Accept-Encoding: ;q=nan, *;q=-1, br;q=1e999\r\nAccept-Language: ;q=x,,zz-!!;q=2\r\n'), 200, 'odd Accept headers'],
  [post('/fa/letters/x%00/sign', FORM, 'name=a&email=a%40b.org'), 404, 'NUL in a form slug'],
  [post('/en/letters/open/sign', FORM, 'name=a&email=a%00b%40b.org'), 400, 'NUL in a form email'],
  [post('/en/letters/open/sign', FORM, 'name=a&name=b&email=a%40b.org'), 400, 'a repeated field'],
  [post('/en/letters/open/sign', FORM, '%ZZ=1&name=%'), 400, 'bad percent-encoding in a form'],
  [post('/api/v1/letters/open/signatures', JSON_TYPE, '{"name":"a\\u0000","email":"a\\u0000@b.org"}'), 400, 'NUL in JSON fields'],
  [post('/api/v1/letters/open/signatures', JSON_TYPE, '{"name":"a","email":"a@b.org","lang":"zz-!!"}'), 400, 'a bad tag in JSON'],
  [post('/api/v1/letters/open/signatures', JSON_TYPE, '{"name":"\\ud800","email":"x@b.org"}'), 0, 'a lone surrogate'],
  [post('/api/v1/letters/open/signatures', JSON_TYPE, '{"name":'), 400, 'truncated JSON'],
  [post('/api/v1/letters/open/signatures', JSON_TYPE, '[1,2,3]'), 400, 'an array body'],
  [post('/api/v1/letters/open/signatures', JSON_TYPE, '{"__proto__":{"x":1},"name":"p","email":"p@b.org"}'), 0, 'a __proto__ key'],
  [post('/api/v1/confirmations', JSON_TYPE, '{"token":"\\u0000"}'), 400, 'NUL in a token'],
  [post('/api/v1/confirmations', JSON_TYPE, `{"token":"${'x'.repeat(5000)}"}`), 0, 'a long token'],
  [post('/en/withdraw', FORM, 'token=%00'), 400, 'NUL in a withdrawal token'],
  [post('/xx/withdraw', FORM, 'token=a'), 404, 'a form posted under an unknown language'],
];

for (const db of ['SQLite', 'PostgreSQL'] as const) {
  describe(`hostile requests answer 4xx in our format: ${db}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-hostile-'));
    let s: Served;
    let pgdb: TestDatabase | undefined;
    before(async () => {
      const env: Record<string, string> = { UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_BASE_URL: BASE };
      let store: Store;
      if (db === 'PostgreSQL') {
        pgdb = await createTestDatabase();
        env.UNDERSIGNED_DATABASE_URL = pgdb.url;
        store = await openPostgresStore(pgdb.url, { foldIntervalMs: 0 });
      } else store = await openSqliteStore(join(dir, 'undersigned.db'));
      await publishLetter(store, 'open', BASE);
      await store.close();
      s = await startServe(env);
    });
    after(async () => {
      await s?.stop();
      await pgdb?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('each hostile request: the expected 4xx (never 5xx), JSON errors on the API, no stack trace', async () => {
      const port = Number(new URL(s.url).port);
      for (const [req, want, what] of CASES) {
        const r = await rawRequest(port, req);
        if (want) assert.equal(r.status, want, `${what}: ${r.headers.split('\r\n')[0]} ${r.body.slice(0, 200)}`);
        else assert.ok(r.status >= 200 && r.status < 500, `${what}: ${r.status} ${r.body.slice(0, 200)}`);
        assert.doesNotMatch(r.body, /at \S+ \(|node:internal|FST_ERR|"statusCode"/, what);
        const path = req.split(' ')[1] ?? '';
        if (path.startsWith('/api/') && r.status >= 400) assert.match(r.body, /^\{"error":\{"code":"[A-Z_]+"/, what);
      }
      // The server is still serving, and the letter was signed by none of them.
      const stats = await requestAlone(`${s.url}/api/v1/letters/open`);
      assert.equal(stats.status, 200);
    });
  });
}

describe('PostgreSQL out of reach: 503 SERVER_BUSY with Retry-After, then back to normal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-outage-'));
  let s: Served;
  let pgdb: TestDatabase;
  let proxy: TcpProxy;
  before(async () => {
    pgdb = await createTestDatabase();
    const store = await openPostgresStore(pgdb.url, { foldIntervalMs: 0 });
    await publishLetter(store, 'open', BASE);
    await store.close();
    const u = new URL(pgdb.url);
    proxy = await tcpProxy(u.hostname, Number(u.port || 5432));
    u.port = String(proxy.port);
    s = await startServe({ UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_BASE_URL: BASE, UNDERSIGNED_DATABASE_URL: u.toString(), UNDERSIGNED_LOG_LEVEL: 'error' });
  });
  after(async () => {
    await s?.stop();
    await proxy?.close();
    await pgdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every request while it is away answers 200 from a cache or 503 with Retry-After; none 500', async () => {
    assert.equal((await postJsonAlone(`${s.url}/api/v1/letters/open/signatures`, { name: 'Before Outage', email: 'before@example.org' })).status, 202);
    proxy.cut();
    // The letter caches live a second or two: past them every read goes to the database.
    await new Promise((r) => setTimeout(r, 2500));
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      const api = await postJsonAlone(`${s.url}/api/v1/letters/open/signatures`, { name: 'During Outage', email: `during${i}@example.org` });
      seen.push(api.status);
      assert.equal(api.status, 503);
      assert.equal(api.body.error.code, 'SERVER_BUSY');
      assert.equal(api.headers['retry-after'], '10');
      const form = await requestAlone(`${s.url}/en/letters/open/sign`, { method: 'POST', headers: { 'content-type': FORM, origin: BASE, host: 'hostile.test' }, body: `name=Form+Outage&email=form${i}%40example.org` });
      assert.equal(form.status, 503);
      assert.equal(form.headers['retry-after'], '10');
      assert.match(form.text, /The server is busy right now, so nothing was saved/);
      for (const path of ['/en/letters/open', '/api/v1/letters/open', '/api/v1/letters/open/signatures', '/en/', '/log/checkpoint']) {
        const r = await requestAlone(`${s.url}${path}`);
        assert.ok(r.status === 200 || r.status === 503, `${path}: ${r.status}`);
        if (r.status === 503) assert.ok(r.headers['retry-after'], path);
      }
    }
    // Logged once for the outage, not once per request.
    assert.ok((s.stderr().match(/the database cannot be reached/g) ?? []).length <= 2, s.stderr());
    proxy.restore();
    const back = await eventually(async () => {
      const r = await postJsonAlone(`${s.url}/api/v1/letters/open/signatures`, { name: 'After Outage', email: 'after@example.org' });
      return r.status === 202 ? r : undefined;
    }, 30_000, 'a signing after the database came back');
    assert.equal(back.status, 202);
    assert.ok(seen.every((x) => x === 503));
  });
});

for (const db of ['SQLite', 'PostgreSQL'] as const) {
  describe(`the organiser's letter form with a bad language tag: ${db}`, () => {
    let t: TestApp;
    let pgdb: TestDatabase | undefined;
    before(async () => {
      const env: Record<string, string> = {};
      if (db === 'PostgreSQL') {
        pgdb = await createTestDatabase();
        env.UNDERSIGNED_DATABASE_URL = pgdb.url;
      }
      t = await testApp(env);
      await openLetter(t, 'albania', { organisers: ['org@example.org'] });
    });
    after(async () => {
      await t?.close();
      await pgdb?.drop();
    });

    test('POST /en/organise/new with a malformed tag answers 400 with the field named, never RangeError', async () => {
      const b = new Browser(t.http);
      await signInOrganiser(t, b, 'org@example.org', { lang: 'en' });
      const letter = faEnLetter('bad-tags');
      for (const tag of ['zz-!!', 'en-u-co-', '\u0661\u0662', 'x'.repeat(300), 'en--US', '-', 'i-klingon', 'en_US']) {
        const form: Record<string, string> = { slug: 'bad-tags', defaultLang: tag, 'versions.0.lang': tag, 'versions.0.title': 'T', 'versions.0.body': 'B', 'addressee.name': letter.addressee.name };
        const res = await b.post('/en/organise/new', form, '/en/organise/new');
        assert.ok(res.statusCode === 400 || res.statusCode === 303, `${JSON.stringify(tag)}: ${res.statusCode}`);
        assert.doesNotMatch(res.body, /RangeError|Incorrect locale/);
      }
    });
  });
}

describe('a full disk', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    await openLetter(t);
  });
  after(async () => t?.close());

  test('SQLITE_FULL (and ENOSPC) answer 503 SERVER_BUSY with Retry-After, the form filled in', async () => {
    const store = t.app.store as unknown as { insertFirstSignature: (...a: unknown[]) => Promise<unknown>; transaction: (...a: unknown[]) => Promise<unknown> };
    const original = { insert: store.insertFirstSignature, tx: store.transaction };
    for (const code of ['SQLITE_FULL', 'ENOSPC']) {
      const full = () => Promise.reject(Object.assign(new Error('database or disk is full'), { code }));
      store.insertFirstSignature = full;
      store.transaction = full;
      try {
        const api = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', payload: { name: 'Disk Full', email: 'full@example.org' } });
        assert.equal(api.statusCode, 503, code);
        assert.equal(api.json().error.code, 'SERVER_BUSY');
        assert.equal(api.headers['retry-after'], '10');
        const page = await new Browser(t.http).post('/en/letters/albania/sign', { name: 'Disk Full', email: 'full@example.org' });
        assert.equal(page.statusCode, 503);
        assert.match(page.body, /value="Disk Full"/);
      } finally {
        store.insertFirstSignature = original.insert;
        store.transaction = original.tx;
      }
    }
  });
});
