import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { hmacSha256 } from './hmac.ts';

test('HMAC-SHA256 with cached key states equals node:crypto for every message length around the block edges, and for several keys', () => {
  const keys = [new TextEncoder().encode('undersigned/commit/v1'), new Uint8Array(0), new Uint8Array(64).fill(0xaa), new Uint8Array(131).map((_, i) => i), new Uint8Array(20).fill(0x0b)];
  for (const key of keys) {
    for (let len = 0; len <= 300; len++) {
      const data = new Uint8Array(len).map((_, i) => (i * 31 + len) & 0xff);
      assert.equal(Buffer.from(hmacSha256(key, data)).toString('hex'), createHmac('sha256', key).update(data).digest('hex'), `key ${key.length} len ${len}`);
    }
  }
  // RFC 4231 test case 2.
  assert.equal(
    Buffer.from(hmacSha256(new TextEncoder().encode('Jefe'), new TextEncoder().encode('what do ya want for nothing?'))).toString('hex'),
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  );
});
