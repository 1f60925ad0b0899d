import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedQueue } from './queue.ts';
import { DomainError } from '../../core/errors.ts';

test('at most `concurrency` jobs run, `waiting` wait, one more is SERVER_BUSY with a Retry-After', async () => {
  const q = new BoundedQueue(1, 2);
  let running = 0;
  let most = 0;
  const release: (() => void)[] = [];
  const job = () => q.run(async () => {
    running++;
    most = Math.max(most, running);
    await new Promise<void>((r) => release.push(r));
    running--;
    return 'done';
  });
  const accepted = [job(), job(), job()];
  await assert.rejects(job(), (e: unknown) => e instanceof DomainError && e.code === 'SERVER_BUSY' && (e as unknown as { retryAfter: number }).retryAfter > 0);
  assert.equal(q.size, 3);
  while (release.length || running) {
    await new Promise((r) => setImmediate(r));
    release.shift()?.();
  }
  assert.deepEqual(await Promise.all(accepted), ['done', 'done', 'done']);
  assert.equal(most, 1);
  assert.equal(q.size, 0);
  assert.equal(await q.run(async () => 'again'), 'again', 'free again once drained');
});

test('a failing job frees its slot', async () => {
  const q = new BoundedQueue(1, 0);
  await assert.rejects(q.run(async () => { throw new Error('boom'); }), /boom/);
  assert.equal(await q.run(async () => 1), 1);
});
