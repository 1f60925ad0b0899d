/**
 * Two real `undersigned serve` processes on one PostgreSQL database (issue 5, "done when"): signatures made through
 * either process and confirmed through the other show the same count, per-country stats and list from both, once
 * the caches (2 s) have expired. Mail is captured in one shared dev outbox directory; whichever process's worker
 * claims a job writes it, once.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { openPostgresStore } from '../src/adapters/storage/postgres/index.ts';
import { readDevOutbox } from '../src/adapters/mail/dev-outbox.ts';
import { letterFixture, versionsFixture } from '../src/adapters/storage/store.case.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';
import { eventually, postJson, startServe, type Served } from './support/serve.ts';

describe('two serve processes on one PostgreSQL database', () => {
  let db: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-mp-'));
  let a: Served;
  let b: Served;
  const slug = 'two-processes';

  before(async () => {
    db = await createTestDatabase();
    const store = await openPostgresStore(db.url, { foldIntervalMs: 0 });
    await store.letters.insert(letterFixture({ slug, defaultLang: 'en' }), versionsFixture);
    await store.close();
    const env = { UNDERSIGNED_DATABASE_URL: db.url, UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: 'off' };
    [a, b] = await Promise.all([startServe(env), startServe(env)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('signed through either, confirmed through the other: the same count, stats and list from both', async () => {
    const people = [
      { via: () => a, confirmVia: () => b, name: 'Maryam One', email: 'maryam@example.org', country: 'IR' },
      { via: () => a, confirmVia: () => b, name: 'Zoë Two', email: 'zoe@example.org', country: 'SE' },
      { via: () => b, confirmVia: () => a, name: 'Arash Three', email: 'arash@example.org', country: 'IR' },
      { via: () => b, confirmVia: () => a, name: 'Hidden Four', email: 'hidden@example.org', country: 'DE', visibility: 'hidden' },
    ];
    for (const p of people) {
      const r = await postJson(`${p.via().url}/api/v1/letters/${slug}/signatures`, { name: p.name, email: p.email, country: p.country, visibility: p.visibility ?? 'public', lang: 'en' });
      assert.equal(r.status, 202, JSON.stringify(r.body));
    }
    // Each confirmation mail is written once, by whichever worker claimed it.
    const tokens = await eventually(async () => {
      const mails = readDevOutbox(join(dir, 'outbox'), 100).filter((m) => m.template === 'confirm');
      if (mails.length < people.length) return undefined;
      return new Map(mails.map((m) => [m.to, /token=([A-Za-z0-9_-]+)/.exec(m.text)?.[1]]));
    }, 20_000, 'the confirmation mails');
    assert.equal(readDevOutbox(join(dir, 'outbox'), 100).filter((m) => m.template === 'confirm').length, people.length, 'one mail per signature');
    for (const p of people) {
      const token = tokens.get(p.email);
      assert.ok(token, `a token for ${p.email}`);
      const r = await postJson(`${p.confirmVia().url}/api/v1/confirmations`, { token });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    const read = async (s: Served) => {
      const letter = (await (await fetch(`${s.url}/api/v1/letters/${slug}`)).json()) as { count: number };
      const stats = (await (await fetch(`${s.url}/api/v1/letters/${slug}/stats`)).json()) as { count: number; byCountry: Record<string, number>; hourly: { count: number }[] };
      const list = (await (await fetch(`${s.url}/api/v1/letters/${slug}/signatures?lang=en`)).json()) as { items: { name: string }[]; count: number; total: number };
      return { count: letter.count, stats: stats.count, byCountry: stats.byCountry, hourly: stats.hourly.reduce((x, h) => x + h.count, 0), list: list.items.map((i) => i.name), total: list.total };
    };
    const expected = { count: 4, stats: 4, byCountry: { IR: 2, SE: 1, DE: 1 }, hourly: 4, list: ['Arash Three', 'Maryam One', 'Zoë Two'], total: 3 };
    // The caches of both processes expire within ~2 s (a page read during the wait may refresh in the background).
    for (const s of [a, b]) {
      await eventually(async () => {
        const got = await read(s);
        return isDeepStrictEqual(got, expected) ? got : undefined;
      }, 15_000, `the same figures from ${s.url}`).catch(async (e: Error) => {
        throw new Error(`${e.message}; last read ${JSON.stringify(await read(s))}`);
      });
    }
    assert.deepEqual(await read(a), await read(b));
  });
});
