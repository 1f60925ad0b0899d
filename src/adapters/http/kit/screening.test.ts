import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { DEFAULT_HOLD_LIMITS } from '../../../config.ts';
import { isDisposableDomain, ReplaySet, SigningScreen, WindowCounter } from './screening.ts';

test('window counter: counts within the window, weighs the previous one, forgets beyond it, stays bounded', () => {
  const c = new WindowCounter(1000, 3);
  assert.equal(c.hit('a', 0), 1);
  assert.equal(c.hit('a', 500), 2);
  assert.equal(c.hit('a', 1500), 2, 'one of the previous window\'s two still overlaps by half');
  assert.equal(c.hit('a', 5000), 1, 'long after: from zero');
  for (const k of ['b', 'c', 'd', 'e']) c.hit(k, 5001);
  assert.equal(c.hit('a', 5002), 1, 'the oldest key left when the map was full');
});

test('replay set: a challenge is claimed once until it expires; bounded', () => {
  const r = new ReplaySet(2);
  assert.equal(r.claim('x', 100, 10), true);
  assert.equal(r.claim('x', 100, 20), false);
  assert.equal(r.claim('y', 100, 20), true);
  assert.equal(r.claim('z', 100, 20), true);
  assert.ok(r.size <= 2);
  assert.equal(r.claim('old', 5, 1), true);
});

test('disposable domains: the list and its subdomains; ordinary domains are not', () => {
  assert.equal(isDisposableDomain('mailinator.com'), true);
  assert.equal(isDisposableDomain('x.mailinator.com'), true);
  assert.equal(isDisposableDomain('gmail.com'), false);
  assert.equal(isDisposableDomain('example.org'), false);
});

test('the screen: a solved challenge passes once; tampered, missing or replayed ones are no proof; sources are hashed', async () => {
  const screen = new SigningScreen('secret', 2000, DEFAULT_HOLD_LIMITS);
  const other = new SigningScreen('another secret', 2000, DEFAULT_HOLD_LIMITS);
  const challenge = await screen.challenge();
  const solution = (await solveChallenge({ challenge, deriveKey }))!;
  const payload = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
  assert.equal(await other.verify(payload), false, 'another instance\'s key');
  // The derived key is the proof (its HMAC is in the challenge): a wrong one fails.
  assert.equal(await screen.verify({ challenge, solution: { ...solution, derivedKey: solution.derivedKey.replace(/^./, (c) => (c === '0' ? '1' : '0')) } }), false);
  assert.equal(await screen.verify({ challenge: { ...challenge, parameters: { ...challenge.parameters, cost: 0 } }, solution }), false, 'tampered');
  assert.equal(await screen.verify(payload), true);
  assert.equal(await screen.verify(payload), false, 'used once');
  for (const junk of [undefined, '', 'x'.repeat(9000), '!!!', 42, {}, { challenge: 1, solution: 2 }, [], null]) assert.equal(await screen.verify(junk), false);
  const old = await screen.challenge(Date.now() - 3600_000);
  const oldSolution = (await solveChallenge({ challenge: old, deriveKey }))!;
  assert.equal(await screen.verify({ challenge: old, solution: oldSolution }), false, 'expired');
  const s = await screen.screen({ ip: '203.0.113.9', slug: 'x', body: { email: 'a@example.org' } });
  assert.deepEqual(s.hold, ['no-proof']);
  assert.equal(s.source, screen.sourceOf('203.0.113.200'), 'one /24, one source');
  assert.notEqual(s.source, screen.sourceOf('203.0.114.9'));
  assert.doesNotMatch(String(s.source), /203/);
  const off = new SigningScreen('secret', 2000, DEFAULT_HOLD_LIMITS, false);
  assert.deepEqual((await off.screen({ ip: '203.0.113.9', slug: 'x', body: { website: 'spam' } })).hold, []);
});

test('window counter: a hit taken back (a signing not stored) no longer counts, in its window or the previous one', () => {
  const c = new WindowCounter(1000);
  c.hit('a', 100);
  c.hit('a', 200);
  c.unhit('a', 200);
  assert.equal(c.hit('a', 300), 2, 'one taken back');
  c.unhit('a', 300);
  c.hit('b', 900);
  c.hit('c', 1100);
  c.unhit('b', 900);
  assert.equal(c.hit('b', 1100), 1, 'taken back from the previous window');
});

test('the screen: a signing not stored is taken back from the limits; a proof of work spares the burst', async () => {
  const screen = new SigningScreen('secret', 2000, { address: 2, prefix: 1000, domain: 1000, burst: 1 });
  const now = Date.now();
  const sign = (ip: string) => screen.screen({ ip, slug: 'letter', body: { email: 'x@example.net' }, now });
  for (let i = 0; i < 5; i++) (await sign('198.51.100.1')).notStored();
  assert.deepEqual((await sign('198.51.100.1')).hold, ['no-proof'], 'five posts not stored: none counted');
  assert.deepEqual((await sign('198.51.100.1')).hold, ['no-proof', 'burst']);
  assert.deepEqual((await sign('198.51.100.1')).hold, ['no-proof', 'address', 'burst']);
  const challenge = await screen.challenge(now);
  const solution = (await solveChallenge({ challenge, deriveKey }))!;
  const proved = await screen.screen({ ip: '203.0.113.5', slug: 'letter', body: { email: 'y@example.net', altcha: { challenge, solution } }, now });
  assert.deepEqual(proved.hold, [], 'past the burst, with a proof of work: not held');
});
