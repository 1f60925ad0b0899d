import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressPrefix, emailDomain, expandIpv6, formatHold, parseHold } from './hold.ts';

test('address prefixes: /24 for IPv4 (mapped too), /64 for IPv6, undefined for anything else', () => {
  assert.equal(addressPrefix('203.0.113.9'), '203.0.113.0/24');
  assert.equal(addressPrefix('::ffff:203.0.113.200'), '203.0.113.0/24');
  assert.equal(addressPrefix('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  assert.equal(addressPrefix('2001:0db8:0001:0002::1'), '2001:db8:1:2::/64');
  assert.equal(addressPrefix('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressPrefix('::1'), '0:0:0:0::/64');
  for (const bad of ['', '1.2.3', '256.1.1.1', 'garbage', '1:2:3:4:5:6:7:8:9', '1::2::3', 'x'.repeat(100)]) assert.equal(addressPrefix(bad), undefined, bad);
  assert.equal(expandIpv6('fe80::1%eth0')?.join(':'), 'fe80:0:0:0:0:0:0:1');
});

test('hold reasons: stored in a fixed order, unknown words dropped', () => {
  assert.equal(formatHold([]), undefined);
  assert.equal(formatHold(['honeypot', 'no-proof', 'honeypot']), 'no-proof,honeypot');
  assert.deepEqual(parseHold('honeypot,future-reason,no-proof'), ['no-proof', 'honeypot']);
  assert.deepEqual(parseHold(undefined), []);
  assert.equal(emailDomain('Sara@Example.ORG'), 'example.org');
});
