/**
 * A double click, a mail client that prefetches twice, a retrying proxy (issue 10): 20 POSTs of one confirmation
 * token at once, each on a connection of its own, then 20 of one withdrawal, against real `serve` processes — on
 * SQLite, on PostgreSQL and with `serve --processes 2`. One confirmation and one withdrawal land, the others answer
 * as a repeat does, and `undersigned audit` then passes with exactly one entry of each in the log.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../src/core/ports.ts';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';
import { openPostgresStore } from '../src/adapters/storage/postgres/index.ts';
import { readDevOutbox } from '../src/adapters/mail/dev-outbox.ts';
import { nodeLogCrypto } from '../src/adapters/crypto/node-crypto.ts';
import { nodeSecrets } from '../src/adapters/node-secrets.ts';
import { mailTemplates } from '../src/adapters/mail/templates.ts';
import { runCli } from '../src/cli.ts';
import { logPublishedTexts } from '../src/use-cases/steps/log-entries.ts';
import { letterFixture, versionsFixture } from '../src/adapters/storage/store.case.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';
import { eventually, postJsonAlone, requestAlone, startServe, type Served } from './support/serve.ts';

const BASE = 'http://race.test';

async function publishLetter(store: Store, slug: string): Promise<void> {
  await store.letters.insert(letterFixture({ slug, defaultLang: 'en' }), versionsFixture);
  const letter = (await store.letters.bySlug(slug))!;
  const deps = { store, clock: { now: () => new Date() }, secrets: nodeSecrets, templates: mailTemplates, baseUrl: BASE, log: { crypto: nodeLogCrypto, opening: () => new Uint8Array(32) }, signals: { mailQueued() {}, logQueued() {}, letterChanged() {} } };
  await store.transaction((tx) => logPublishedTexts(tx, deps, letter));
}

const setups: { name: string; args?: string[]; pg?: boolean }[] = [
  { name: 'one process on SQLite' },
  { name: 'one process on PostgreSQL', pg: true },
  { name: 'serve --processes 2 on SQLite', args: ['--processes', '2'] },
];

for (const setup of setups) {
  describe(`20 concurrent confirmations and withdrawals of one signature: ${setup.name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-race-'));
    const slug = 'race';
    let s: Served | undefined;
    let db: TestDatabase | undefined;
    after(async () => {
      await s?.stop();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('one entry each; the others answer as a repeat; the audit passes', async () => {
      const env: Record<string, string> = { UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_BASE_URL: BASE };
      if (setup.pg) {
        db = await createTestDatabase();
        env.UNDERSIGNED_DATABASE_URL = db.url;
        const store = await openPostgresStore(db.url, { foldIntervalMs: 0 });
        await publishLetter(store, slug);
        await store.close();
        s = await startServe(env, { args: setup.args ?? [] });
      } else {
        s = await startServe(env, { args: setup.args ?? [] });
        const store = await openSqliteStore(join(dir, 'undersigned.db'), { foldIntervalMs: 0 });
        await publishLetter(store, slug);
        await store.close();
      }
      const url = s.url;
      const signed = await postJsonAlone(`${url}/api/v1/letters/${slug}/signatures`, { name: 'Maryam Race', email: 'maryam@example.org', country: 'IR', visibility: 'public', lang: 'en' });
      assert.equal(signed.status, 202, JSON.stringify(signed.body));
      const mail = await eventually(async () => readDevOutbox(join(dir, 'outbox'), 100).find((m) => m.template === 'confirm'), 20_000, 'the confirmation mail');
      const token = /confirm[^\s]*token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] ?? /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
      const withdrawToken = /withdraw\?token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;

      const confirms = await Promise.all(Array.from({ length: 20 }, () => postJsonAlone(`${url}/api/v1/confirmations`, { token })));
      assert.equal(confirms.filter((r) => r.status === 200).length, 1, JSON.stringify(confirms.map((r) => [r.status, r.body?.error?.code])));
      for (const r of confirms) if (r.status !== 200) assert.equal(r.body?.error?.code, 'SIGNATURE_ALREADY_CONFIRMED', JSON.stringify(r.body));

      const form = `token=${encodeURIComponent(withdrawToken)}`;
      const withdrawals = await Promise.all(Array.from({ length: 20 }, () =>
        requestAlone(`${url}/en/withdraw`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE }, body: form })));
      assert.deepEqual(withdrawals.map((r) => r.status), Array(20).fill(200));

      const out: string[] = [];
      const code = await runCli(['audit', url, '--state', join(dir, 'audit-state.json'), '--json', '--retries', '10'], { out: (x: string) => void out.push(x), err: () => undefined, isTTY: false }, {}, dir);
      const report = JSON.parse(out.join(''));
      assert.equal(code, 0, JSON.stringify(report.problems));
      const letter = report.letters.find((l: { slug: string }) => l.slug === slug);
      assert.equal(letter.signatures, 1, 'one sig entry');
      assert.equal(letter.withdrawn, 1, 'one withdraw entry');
      assert.equal(letter.logCount, 0);
      assert.equal(letter.apiCount, 0);
    });
  });
}
