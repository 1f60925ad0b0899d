import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeLogCrypto } from './node-crypto.ts';

const c = createNodeLogCrypto();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('sha256 and hmac return plain, independent Uint8Arrays', () => {
  const a = c.sha256(new Uint8Array(0));
  assert.equal(hex(a), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(Object.getPrototypeOf(a), Uint8Array.prototype);
  const copy = a.slice();
  copy[0] = 0;
  assert.equal(a[0], 0xe3, 'slice copies, unlike Buffer#slice');
  // RFC 4231 test case 2.
  const mac = c.hmacSha256(new TextEncoder().encode('Jefe'), new TextEncoder().encode('what do ya want for nothing?'));
  assert.equal(hex(mac), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
});

test('Ed25519 from raw seeds (RFC 8032 test 1) and verification never throws', () => {
  const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
  const pub = c.ed25519PublicKey(seed);
  assert.equal(hex(pub), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  const sig = c.ed25519Sign(seed, new Uint8Array(0));
  assert.equal(
    hex(sig),
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  );
  assert.ok(c.ed25519Verify(pub, new Uint8Array(0), sig));
  assert.ok(!c.ed25519Verify(pub, new Uint8Array([1]), sig));
  assert.ok(!c.ed25519Verify(pub.subarray(1), new Uint8Array(0), sig));
  assert.ok(!c.ed25519Verify(pub, new Uint8Array(0), sig.subarray(1)));
  assert.ok(!c.ed25519Verify(new Uint8Array(32).fill(0xff), new Uint8Array(0), sig));
  assert.throws(() => c.ed25519Sign(new Uint8Array(31), new Uint8Array(0)));
});
