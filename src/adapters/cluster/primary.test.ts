/**
 * The primary of `serve --processes N` (cluster.ts), the parts that need no processes: which process is our worker
 * (the marker, not node:cluster's isWorker), and a worker's message that makes the primary's handler throw. The real
 * processes are in test/cluster-serve-sqlite.test.ts (a worker of another cluster primary, Ctrl-C during the start).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerWorkers, REPORT_MS } from './primary.ts';
import { forkedByOurPrimary, WORKER_ENV } from './worker.ts';
import { RateLimitCounters } from '../http/rate-limit/ipc.ts';

test('our worker is the one forked by our primary (the marker names its parent), not any node:cluster worker', () => {
  assert.equal(forkedByOurPrimary({ [WORKER_ENV]: '4242' }, true, 4242), true);
  assert.equal(forkedByOurPrimary({}, true, 4242), false, 'a worker of another cluster primary (a process manager)');
  assert.equal(forkedByOurPrimary({ [WORKER_ENV]: '4242' }, true, 777), false, 'a marker inherited from another parent');
  assert.equal(forkedByOurPrimary({ [WORKER_ENV]: '4242' }, false, 4242), false, 'not a cluster worker at all');
});

test('a malformed worker message does not stop the primary: no answer, reported at most once per 10 s, without its content', () => {
  let now = 0;
  const reports: string[] = [];
  const counters = new RateLimitCounters();
  const answer = answerWorkers((m) => counters.handle(m), (text) => reports.push(text), () => now);
  const m = { t: 'undersigned:rate-limit', id: 1, windowMs: 60_000 };
  assert.equal(answer({ ...m, hits: [null] }), undefined);
  assert.equal(answer({ ...m, hits: [5] }), undefined);
  assert.equal(answer({ ...m, windowMs: 1e300, hits: [['198.51.100.9', 1]] }), undefined);
  assert.equal(reports.length, 1, reports.join(''));
  assert.match(reports[0]!, /a server process's message was refused: rate-limit request: hit 0 is not \[key, count\]/);
  now += REPORT_MS;
  assert.equal(answer({ ...m, windowMs: 1e300, hits: [['198.51.100.9', 1]] }), undefined);
  assert.equal(reports.length, 2);
  assert.match(reports[1]!, /windowMs is not within \(0, 24 h\] \(and 2 more since the last report\)/);
  assert.ok(reports.every((r) => !r.includes('198.51.100.9')), 'no address in the reports');
  // The primary still answers the next good message, and counted nothing from the bad ones.
  assert.deepEqual(answer({ ...m, id: 2, hits: [['198.51.100.9', 1]] }), { t: 'undersigned:rate-limit', id: 2, counts: [[1, 60_000]] });
  // Something else that throws (not a validation) is handled the same way.
  const odd = answerWorkers(() => {
    throw new Error('boom');
  }, (text) => reports.push(text));
  assert.equal(odd({}), undefined);
  assert.match(reports.at(-1)!, /refused: boom\./);
});
