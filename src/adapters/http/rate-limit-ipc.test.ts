/**
 * Rate limits counted in the cluster's primary (rate-limit-ipc.ts): fixed windows, per-request counts in arrival
 * order from one message per turn, bounded memory, and failure (no answer) reported so that skipOnError lets through.
 * The channel here is a direct call into the counters, as the cluster's would be; the real processes are in
 * test/cluster-serve-sqlite.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpcRateLimitBatcher, RateLimitCounters, type PrimaryChannel, type RateLimitRequest } from './rate-limit-ipc.ts';
import { rateLimitBackend } from './rate-limit-store.ts';

function channelTo(counters: RateLimitCounters, opts: { drop?: boolean } = {}): PrimaryChannel & { sent: RateLimitRequest[] } {
  let listener: (m: unknown) => void = () => undefined;
  const sent: RateLimitRequest[] = [];
  return {
    sent,
    send(message, onSent) {
      sent.push(message);
      onSent(null);
      if (!opts.drop) setImmediate(() => listener(structuredClone(counters.handle(structuredClone(message)))));
    },
    onMessage(l) {
      listener = l;
    },
  };
}

const hit = (b: IpcRateLimitBatcher, key: string, windowMs = 60_000) =>
  new Promise<{ current: number; ttl: number }>((resolve, reject) => b.hit(key, windowMs, (e, r) => (e ? reject(e) : resolve(r!))));

test('two workers share one counter per key; the hits of a turn go in one message, each given its own count in order', async () => {
  let now = 1_000_000;
  const counters = new RateLimitCounters(() => now);
  const a = channelTo(counters);
  const b = channelTo(counters);
  const wa = new IpcRateLimitBatcher(a);
  const wb = new IpcRateLimitBatcher(b);
  const first = await Promise.all([hit(wa, 'ip1'), hit(wa, 'ip1'), hit(wa, 'ip2'), hit(wa, 'ip1')]);
  assert.deepEqual(first.map((r) => r.current), [1, 2, 1, 3]);
  assert.equal(a.sent.length, 1, 'one message for the turn');
  assert.deepEqual(a.sent[0]!.hits, [['ip1', 3], ['ip2', 1]]);
  // The other worker continues the same counters.
  const second = await Promise.all([hit(wb, 'ip1'), hit(wb, 'ip2')]);
  assert.deepEqual(second.map((r) => r.current), [4, 2]);
  assert.equal(second[0]!.ttl, 60_000);
  // Fixed window: it ends a minute after its first hit, whoever counts.
  now += 59_000;
  assert.deepEqual(await hit(wa, 'ip1'), { current: 5, ttl: 1000 });
  now += 1000;
  assert.deepEqual(await hit(wb, 'ip1'), { current: 1, ttl: 60_000 });
});

test('memory stays bounded: ended windows are swept, and past the cap the oldest windows are forgotten', () => {
  let now = 0;
  const counters = new RateLimitCounters(() => now, 1000);
  for (let i = 0; i < 900; i++) counters.hit(`k${i}`, 1, 1000);
  assert.equal(counters.size, 900);
  now = 2000 + RateLimitCounters.SWEEP_MS;
  counters.handle({ t: 'undersigned:rate-limit', id: 1, windowMs: 60_000, hits: [['fresh', 1]] });
  assert.equal(counters.size, 1, 'the ended windows were swept');
  for (let i = 0; i < 1500; i++) counters.hit(`m${i}`, 1, 60_000);
  assert.ok(counters.size <= 1000, `at most the cap (${counters.size})`);
  assert.equal(counters.hit('m1499', 1, 60_000).current, 2, 'the newest windows are kept');
});

test('no answer from the primary: the hits fail (the limiter then lets them through), later hits work again', async () => {
  const counters = new RateLimitCounters();
  const dropping = channelTo(counters, { drop: true });
  const w = new IpcRateLimitBatcher(dropping);
  const saved = IpcRateLimitBatcher.REPLY_MS;
  (IpcRateLimitBatcher as { REPLY_MS: number }).REPLY_MS = 50;
  try {
    await assert.rejects(hit(w, 'ip'), /did not answer/);
  } finally {
    (IpcRateLimitBatcher as { REPLY_MS: number }).REPLY_MS = saved;
  }
  const broken: PrimaryChannel = { send: (_m, onSent) => onSent(new Error('channel closed')), onMessage: () => undefined };
  await assert.rejects(hit(new IpcRateLimitBatcher(broken), 'ip'), /channel closed/);
  // Messages that are not ours are left alone.
  assert.equal(counters.handle({ cmd: 'NODE_CLUSTER' }), undefined);
});

test('the backend: Redis when configured, PostgreSQL, the cluster primary for a worker on SQLite, else memory', async () => {
  assert.equal((await rateLimitBackend({ store: { dialect: 'sqlite' }, clusterWorker: true })).kind, 'cluster');
  assert.equal((await rateLimitBackend({ store: { dialect: 'sqlite' }, clusterWorker: false })).kind, 'memory');
  assert.equal((await rateLimitBackend({ store: { dialect: 'sqlite' } })).kind, 'memory', 'not a cluster worker here');
});
