/**
 * Rate-limit hits batched per event-loop turn (RateLimitHitBatcher on PostgreSQL): every request still gets its own
 * exact count, and two processes counting one address at once share the counter without losing a hit.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openPostgresStore } from '../postgres/index.ts';
import type { SqlStore } from './store.ts';
import { RateLimitHitBatcher } from '../../http/rate-limit/backend.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres.ts';

let db: TestDatabase;
let a: SqlStore;
let b: SqlStore;
before(async () => {
  db = await createTestDatabase();
  a = await openPostgresStore(db.url, { foldIntervalMs: 0 });
  b = await openPostgresStore(db.url, { foldIntervalMs: 0 });
});
after(async () => {
  await a?.close();
  await b?.close();
  await db?.drop();
});

const hit = (batcher: RateLimitHitBatcher, key: string, windowMs: number) =>
  new Promise<{ current: number; ttl: number }>((resolve, reject) => batcher.hit(key, windowMs, (e, r) => (e ? reject(e) : resolve(r!))));

test('hits of one turn: each gets its own count, in order; other keys apart', async () => {
  const batcher = new RateLimitHitBatcher(a.db);
  const got = await Promise.all([...Array.from({ length: 30 }, () => hit(batcher, 'k1', 60_000)), hit(batcher, 'k2', 60_000)]);
  assert.deepEqual(got.slice(0, 30).map((r) => r.current), Array.from({ length: 30 }, (_, i) => i + 1));
  assert.equal(got[30]!.current, 1);
  for (const r of got) assert.ok(r.ttl > 0 && r.ttl <= 60_000, String(r.ttl));
  assert.equal((await hit(batcher, 'k1', 60_000)).current, 31, 'a later turn goes on counting');
});

test('two processes at once on one key: no hit lost, no count given twice', async () => {
  const [x, y] = [new RateLimitHitBatcher(a.db), new RateLimitHitBatcher(b.db)];
  const got = await Promise.all(Array.from({ length: 40 }, (_, i) => hit(i % 2 ? x : y, 'shared', 60_000)));
  assert.deepEqual(got.map((r) => r.current).sort((p, q) => p - q), Array.from({ length: 40 }, (_, i) => i + 1));
});

test('an ended window starts again at the hits of the batch', async () => {
  const batcher = new RateLimitHitBatcher(a.db);
  await Promise.all(Array.from({ length: 3 }, () => hit(batcher, 'short', 50)));
  await new Promise((r) => setTimeout(r, 120));
  const got = await Promise.all(Array.from({ length: 2 }, () => hit(batcher, 'short', 50)));
  assert.deepEqual(got.map((r) => r.current), [1, 2]);
});

test('two processes counting the same addresses in opposite orders: no deadlock, every hit counted', async () => {
  const [x, y] = [new RateLimitHitBatcher(a.db), new RateLimitHitBatcher(b.db)];
  const keys = Array.from({ length: 2000 }, (_, i) => `many-${String(i).padStart(4, '0')}`);
  for (let round = 0; round < 5; round++) {
    // One turn each: x takes the keys in order, y in reverse, as two floods from many addresses can.
    await Promise.all([...keys.map((k) => hit(x, k, 60_000)), ...[...keys].reverse().map((k) => hit(y, k, 60_000))]);
  }
  const last = await Promise.all(keys.map((k) => hit(x, k, 60_000)));
  assert.deepEqual(last.map((r) => r.current), keys.map(() => 11));
});
