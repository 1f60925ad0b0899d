/**
 * Rate limits counted in the cluster's primary (ipc.ts): fixed windows, per-request counts in arrival
 * order from one message per turn, bounded memory and cheap eviction, malformed messages refused, and no answer from
 * the primary counted in the worker instead (a limit still holds), reported at most once per 10 s.
 * The channel here is a direct call into the counters, as the cluster's would be; the real processes are in
 * test/cluster-serve-sqlite.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpcRateLimitBatcher, RateLimitCounters, type PrimaryChannel, type RateLimitRequest } from './ipc.ts';
import { rateLimitBackend } from './backend.ts';

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

test('memory stays bounded: past the cap each new key forgets the oldest window, at once and one only', () => {
  let now = 0;
  const counters = new RateLimitCounters(() => now, 1000);
  for (let i = 0; i < 1000; i++) counters.hit(`k${i}`, 1, 60_000);
  assert.equal(counters.size, 1000);
  counters.hit('new', 1, 60_000);
  assert.equal(counters.size, 1000, 'one forgotten for one added');
  assert.equal(counters.hit('k1', 0, 60_000).current, 1, 'the second oldest is kept');
  assert.equal(counters.hit('k0', 0, 60_000).current, 0, 'the oldest is forgotten');
  // A window that ended and starts again moves to the end: it is not the next one forgotten.
  now = 1;
  for (let i = 0; i < 1500; i++) counters.hit(`m${i}`, 1, 60_000);
  assert.equal(counters.size, 1000);
  assert.equal(counters.hit('m1499', 1, 60_000).current, 2, 'the newest windows are kept');
  assert.equal(counters.hit('m499', 0, 60_000).current, 0, 'the older ones forgotten in order');
  assert.equal(counters.hit('m500', 0, 60_000).current, 1);
});

test('ended windows are swept a bounded step per message, a pass at most every SWEEP_MS', () => {
  let now = 0;
  const counters = new RateLimitCounters(() => now, 100_000);
  const step = RateLimitCounters.SWEEP_STEP;
  for (let i = 0; i < step * 3; i++) counters.hit(`k${i}`, 1, 1000);
  now = 2000;
  const msg = (id: number) => ({ t: 'undersigned:rate-limit', id, windowMs: 60_000, hits: [['fresh', 1]] });
  counters.handle(msg(1));
  assert.equal(counters.size, step * 2 + 1, 'one step swept, not all at once');
  counters.handle(msg(2));
  counters.handle(msg(3));
  counters.handle(msg(4));
  assert.equal(counters.size, 1, 'the pass went on with the next messages');
  for (let i = 0; i < 10; i++) counters.hit(`late${i}`, 1, 1000);
  now = 3500;
  counters.handle(msg(5));
  assert.equal(counters.size, 11, 'no new pass before SWEEP_MS');
  now = 2000 + RateLimitCounters.SWEEP_MS;
  counters.handle(msg(6));
  assert.equal(counters.size, 1, 'the next pass');
});

test('the primary\'s memory and pauses at the cap (figures, not assertions on time)', (t) => {
  let now = 0;
  const counters = new RateLimitCounters(() => now);
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  // Keys as the limiter makes them: the route's prefix and an IPv6 address.
  const key = (i: number) => `rl:POST/api/v1/letters/:slug/signatures-2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`;
  let worst = 0;
  for (let batch = 0; batch < 150; batch++) {
    now += 10;
    const hits: [string, number][] = Array.from({ length: 1000 }, (_, j) => [key(batch * 1000 + j), 1]);
    const t0 = performance.now();
    counters.handle({ t: 'undersigned:rate-limit', id: batch, windowMs: 60_000, hits });
    worst = Math.max(worst, performance.now() - t0);
  }
  assert.equal(counters.size, counters.maxKeys);
  assert.equal(counters.maxKeys, 100_000);
  const mb = (process.memoryUsage().heapUsed - before) / 1e6;
  t.diagnostic(`${counters.size} keys: ~${mb.toFixed(0)} MB of heap; slowest message of 1,000 new keys (over the cap from the 101st): ${worst.toFixed(1)} ms`);
});

test('a malformed message is refused whole (an exception for the primary to report), nothing counted', () => {
  const counters = new RateLimitCounters();
  const ok = { t: 'undersigned:rate-limit', id: 1, windowMs: 60_000 };
  counters.handle({ ...ok, hits: [['kept', 1]] });
  const bad: unknown[] = [
    { ...ok, hits: [null] },
    { ...ok, hits: [5] },
    { ...ok, hits: [['a', 1], null] },
    { ...ok, hits: [[5, 1]] },
    { ...ok, hits: [['', 1]] },
    { ...ok, hits: [['x'.repeat(1025), 1]] },
    { ...ok, hits: [['a', -1]] },
    { ...ok, hits: [['a', 1.5]] },
    { ...ok, hits: [['a', Number.NaN]] },
    { ...ok, hits: [['a', '1']] },
    { ...ok, hits: [['a', 1e300]] },
    { ...ok, hits: 'a' },
    { ...ok, windowMs: 1e300, hits: [['a', 1]] },
    { ...ok, windowMs: 0, hits: [['a', 1]] },
    { ...ok, windowMs: -5, hits: [['a', 1]] },
    { ...ok, windowMs: Number.POSITIVE_INFINITY, hits: [['a', 1]] },
    { ...ok, windowMs: 24 * 3600_000 + 1, hits: [['a', 1]] },
    { ...ok, id: 'x', hits: [['a', 1]] },
  ];
  for (const m of bad) assert.throws(() => counters.handle(structuredClone(m)), TypeError, JSON.stringify(m));
  assert.equal(counters.size, 1, 'nothing counted from a refused message, not even its good hits');
  // The limits of the checks are allowed; the message does not quote its keys (they hold addresses).
  assert.ok(counters.handle({ ...ok, windowMs: 24 * 3600_000, hits: [['x'.repeat(1024), 0]] }));
  assert.throws(() => counters.handle({ ...ok, hits: [['203.0.113.7', -1]] }), (e: Error) => !e.message.includes('203.0.113.7'));
  // Messages that are not ours are left alone.
  assert.equal(counters.handle({ cmd: 'NODE_CLUSTER' }), undefined);
  assert.equal(counters.handle(null), undefined);
});

test('no answer from the primary: the hits are counted in the worker (a limit still holds), reported once per 10 s', async () => {
  let now = 1_000_000;
  const counters = new RateLimitCounters(() => now);
  const reports: string[] = [];
  const dropping = channelTo(counters, { drop: true });
  const w = new IpcRateLimitBatcher(dropping, (text) => reports.push(text), () => now);
  const saved = IpcRateLimitBatcher.REPLY_MS;
  (IpcRateLimitBatcher as { REPLY_MS: number }).REPLY_MS = 50;
  try {
    // Three requests of one turn, then two more: counted here, in arrival order, one fixed window.
    const first = await Promise.all([hit(w, 'ip'), hit(w, 'ip'), hit(w, 'other')]);
    assert.deepEqual(first.map((r) => r.current), [1, 2, 1]);
    assert.deepEqual(await hit(w, 'ip'), { current: 3, ttl: 60_000 });
    now += 1000;
    assert.deepEqual(await hit(w, 'ip'), { current: 4, ttl: 59_000 });
  } finally {
    (IpcRateLimitBatcher as { REPLY_MS: number }).REPLY_MS = saved;
  }
  assert.equal(reports.length, 1, 'reported once for three unanswered messages within 10 s');
  assert.match(reports[0]!, /counted in it alone for now: the primary process's counts did not come \(no answer within 50 ms\)/);
  assert.doesNotMatch(reports[0]!, /\bip\b|other/, 'no keys in the report');
  assert.equal(counters.size, 0, 'the primary counted nothing it did not answer');

  // A closed channel: counted here at once, no wait; reported again once 10 s passed, with how many were not.
  const broken: PrimaryChannel = { send: (_m, onSent) => onSent(new Error('channel closed')), onMessage: () => undefined };
  const reports2: string[] = [];
  const b = new IpcRateLimitBatcher(broken, (text) => reports2.push(text), () => now);
  const t0 = Date.now();
  assert.equal((await hit(b, 'ip')).current, 1);
  assert.equal((await hit(b, 'ip')).current, 2);
  assert.ok(Date.now() - t0 < 1000, 'no wait for a closed channel');
  now += IpcRateLimitBatcher.REPORT_MS;
  assert.equal((await hit(b, 'ip')).current, 3);
  assert.equal(reports2.length, 2);
  assert.match(reports2[1]!, /channel closed\) \(1 more since the last report\)/);

  // A primary that answers again is asked again.
  const answering = channelTo(counters);
  const again = new IpcRateLimitBatcher(answering, (text) => reports.push(text), () => now);
  assert.equal((await hit(again, 'ip')).current, 1);
  assert.equal(counters.size, 1);
});

test('the backend: Redis when configured before all, then PostgreSQL, then the primary for our cluster worker, else memory', async () => {
  // Redis wins over a PostgreSQL store and over the cluster (nothing listens on port 1: the limiter would skip on error).
  const redis = await rateLimitBackend({ redisUrl: 'redis://127.0.0.1:1', store: { dialect: 'postgres', db: {} }, clusterWorker: true });
  assert.equal(redis.kind, 'redis');
  await redis.close();
  assert.equal((await rateLimitBackend({ store: { dialect: 'postgres', db: {} }, clusterWorker: true })).kind, 'postgres', 'PostgreSQL wins over the cluster');
  assert.equal((await rateLimitBackend({ store: { dialect: 'sqlite' }, clusterWorker: true })).kind, 'cluster');
  assert.equal((await rateLimitBackend({ store: { dialect: 'sqlite' }, clusterWorker: false })).kind, 'memory');
  // Whether this process is our worker is decided by cluster/worker.ts forkedByOurPrimary (tested there), and a worker of
  // another cluster primary is tested with real processes in test/cluster-serve-sqlite.test.ts.
});
