/**
 * Trusted proxies (issue 15, item 6), real `serve` processes: the client is the rightmost X-Forwarded-For address
 * that is not a trusted proxy, so a client-written (leftmost) address cannot walk past the per-client limit.
 * UNDERSIGNED_TRUST_PROXY takes a number of hops (`1`, and `true` meaning 1) or proxy addresses and CIDR ranges.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';
import { loadConfig, ConfigError } from '../src/config.ts';
import { publishLetter } from './support/seed.ts';
import { postJsonAlone, startServe, type Served } from './support/serve.ts';

const BASE = 'http://proxied.test';
const LIMIT = 3;

async function serve(trust: string | undefined): Promise<{ s: Served; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-proxy-'));
  const store = await openSqliteStore(join(dir, 'undersigned.db'));
  await publishLetter(store, 'p', BASE);
  await store.close();
  const s = await startServe({ UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: String(LIMIT), UNDERSIGNED_BASE_URL: BASE, ...(trust !== undefined ? { UNDERSIGNED_TRUST_PROXY: trust } : {}) });
  return { s, dir };
}

let n = 0;
const sign = (s: Served, xff?: string) => postJsonAlone(`${s.url}/api/v1/letters/p/signatures`, { name: 'Proxied Person', email: `p${n++}@example.org` }, xff ? { 'x-forwarded-for': xff } : {});

for (const trust of ['1', 'true', '127.0.0.1/8,::1']) {
  describe(`UNDERSIGNED_TRUST_PROXY=${trust}: the rightmost untrusted address is the client`, () => {
    let s: Served;
    let dir: string;
    after(async () => {
      await s?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a spoofed leftmost address changes nothing: the address the proxy appended is limited', async () => {
      ({ s, dir } = await serve(trust));
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 2; i++) statuses.push((await sign(s, `198.51.100.${i}, 203.0.113.7`)).status);
      assert.deepEqual(statuses, [202, 202, 202, 429, 429]);
      // Another client behind the same proxy has its own count.
      assert.equal((await sign(s, '203.0.113.8')).status, 202);
      const refused = await sign(s, `192.0.2.1, 203.0.113.7`);
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers['retry-after']) > 0);
    });
  });
}

describe('a list of proxies: every trusted hop is skipped from the right', () => {
  let s: Served;
  let dir: string;
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  test('127.0.0.1 and 10.0.0.0/8 trusted: "spoof, client, 10.1.2.3" is the client', async () => {
    ({ s, dir } = await serve('127.0.0.1,10.0.0.0/8'));
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) statuses.push((await sign(s, `198.51.100.${i}, 203.0.113.9, 10.1.2.${i}`)).status);
    assert.deepEqual(statuses, [202, 202, 202, 429]);
  });
});

describe('no proxy trusted (the default): X-Forwarded-For is ignored', () => {
  let s: Served;
  let dir: string;
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  test('a different X-Forwarded-For on every request is still one client', async () => {
    ({ s, dir } = await serve(undefined));
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) statuses.push((await sign(s, `198.51.100.${i}`)).status);
    assert.deepEqual(statuses, [202, 202, 202, 429]);
  });
});

test('bad UNDERSIGNED_TRUST_PROXY values stop the start with a message naming the setting', () => {
  for (const v of ['maybe', '10.0.0.0/33', '1.2.3', '99', 'fe80::/129']) {
    assert.throws(() => loadConfig({ UNDERSIGNED_TRUST_PROXY: v }), (e: Error) => e instanceof ConfigError && /UNDERSIGNED_TRUST_PROXY/.test(e.message), v);
  }
  assert.equal(loadConfig({ UNDERSIGNED_TRUST_PROXY: 'off' }).trustProxy, false);
  assert.equal(loadConfig({ UNDERSIGNED_TRUST_PROXY: '2' }).trustProxy, 2);
  assert.deepEqual(loadConfig({ UNDERSIGNED_TRUST_PROXY: '10.0.0.0/8, ::1' }).trustProxy, ['10.0.0.0/8', '::1']);
});
