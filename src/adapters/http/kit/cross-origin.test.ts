import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossOriginRefusal } from './cross-origin.ts';

const OURS = 'https://letters.test';
const post = (headers: Record<string, string>) => crossOriginRefusal({ method: 'POST', headers }, OURS);

test('the cross-origin check: what browsers send for our own forms passes, what other sites send is refused', () => {
  // Our own forms, as browsers send them.
  assert.equal(post({ origin: OURS, 'sec-fetch-site': 'same-origin' }), undefined);
  assert.equal(post({ origin: OURS }), undefined, 'a browser from before Sec-Fetch-Site');
  assert.equal(post({ origin: 'null', 'sec-fetch-site': 'same-origin' }), undefined, 'our page under a no-referrer policy');
  assert.equal(post({ 'sec-fetch-site': 'none' }), undefined, 'typed or bookmarked');
  assert.equal(post({}), undefined, 'not a browser (curl, a script)');
  // Other sites.
  assert.equal(post({ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }), 'cross-site');
  assert.equal(post({ origin: 'https://www.letters.test', 'sec-fetch-site': 'same-site' }), 'cross-site', 'a sibling subdomain');
  assert.equal(post({ origin: 'null', 'sec-fetch-site': 'cross-site' }), 'cross-site', 'a sandboxed frame elsewhere');
  assert.equal(post({ origin: 'null' }), 'cross-origin', 'an opaque origin with nothing to vouch for it');
  assert.equal(post({ 'sec-fetch-site': 'same-site' }), 'cross-site');
  // DNS rebinding: the browser calls it same-origin, but the Origin is not the configured one.
  assert.equal(post({ origin: 'http://evil.example', 'sec-fetch-site': 'same-origin' }), 'cross-origin');
  assert.equal(post({ origin: 'http://letters.test', 'sec-fetch-site': 'same-origin' }), 'cross-origin', 'another scheme');
  // Safe methods change nothing and are never refused.
  assert.equal(crossOriginRefusal({ method: 'GET', headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } }, OURS), undefined);
});
