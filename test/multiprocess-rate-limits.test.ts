/**
 * Rate limits shared between server processes (issue 5): two app instances on one PostgreSQL database, and two on one
 * Redis, count the same address together; the second refuses (429) once the first used up the allowance.
 * Each run uses its own client address, so counters left in Redis by earlier runs do not matter.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp, type App } from '../src/main.ts';
import { loadConfig } from '../src/config.ts';
import { letterFixture, versionsFixture } from '../src/adapters/storage/store.case.ts';
import { rateLimitBackend } from '../src/adapters/http/rate-limit/backend.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';

const REDIS_URL = process.env.UNDERSIGNED_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const LIMIT = 3;

async function twoApps(env: Record<string, string>, dirs: string[]): Promise<App[]> {
  const apps: App[] = [];
  for (const d of dirs) {
    apps.push(await buildApp(loadConfig({ UNDERSIGNED_RATE_LIMIT: String(LIMIT), UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_DATA_DIR: d, ...env })));
  }
  return apps;
}

function sign(f: FastifyInstance, slug: string, ip: string, i: number) {
  return f.inject({
    method: 'POST',
    url: `/api/v1/letters/${slug}/signatures`,
    remoteAddress: ip,
    headers: { 'content-type': 'application/json' },
    payload: { name: `Signer ${i}`, email: `rl-${ip}-${i}@example.org` },
  });
}

const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

async function sharedLimit(apps: App[], slug: string) {
  const [a, b] = await Promise.all(apps.map((x) => x.http()));
  const ip = randomIp();
  for (let i = 0; i < LIMIT; i++) assert.equal((await sign(a!, slug, ip, i)).statusCode, 202, `request ${i + 1} through the first process`);
  const refused = await sign(b!, slug, ip, LIMIT);
  assert.equal(refused.statusCode, 429, 'the second process knows the first used up the allowance');
  assert.equal(refused.json().error.code, 'RATE_LIMITED');
  assert.ok(Number(refused.headers['retry-after']) > 0);
  assert.equal((await sign(a!, slug, ip, LIMIT + 1)).statusCode, 429);
  // Another address is not affected.
  assert.equal((await sign(b!, slug, randomIp(), 0)).statusCode, 202);
}

describe('rate limits shared by two app instances', () => {
  let db: TestDatabase;
  const dirs = [mkdtempSync(join(tmpdir(), 'undersigned-rl-a-')), mkdtempSync(join(tmpdir(), 'undersigned-rl-b-'))];
  const open: App[] = [];
  const slug = `rl-${Date.now().toString(36)}`;

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    for (const a of open) await a.close().catch(() => undefined);
    await db?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('on one PostgreSQL database (no Redis): counters in the database', async () => {
    const apps = await twoApps({ UNDERSIGNED_DATABASE_URL: db.url }, dirs);
    open.push(...apps);
    await apps[0]!.store.letters.insert(letterFixture({ slug }), versionsFixture);
    assert.equal((await rateLimitBackend({ store: apps[0]!.store })).kind, 'postgres');
    await sharedLimit(apps, slug);
    await Promise.all(apps.map((x) => x.close()));
    open.length = 0;
  });

  test('on one Redis (UNDERSIGNED_REDIS_URL set): counters in Redis', async () => {
    const apps = await twoApps({ UNDERSIGNED_DATABASE_URL: db.url, UNDERSIGNED_REDIS_URL: REDIS_URL }, dirs);
    open.push(...apps);
    const backend = await rateLimitBackend({ redisUrl: REDIS_URL, store: apps[0]!.store });
    assert.equal(backend.kind, 'redis');
    await backend.close();
    await sharedLimit(apps, slug);
  });

  test('SQLite without Redis: in memory, per process', async () => {
    assert.equal((await rateLimitBackend({ store: { dialect: 'sqlite' } })).kind, 'memory');
  });
});
