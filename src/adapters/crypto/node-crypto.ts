/**
 * node:crypto implementation of the log core's injected LogCrypto.
 *
 * Ed25519 keys arrive as raw 32-byte seeds / public keys (the signed-note key
 * formats carry them raw); node:crypto only accepts KeyObjects, so the raw bytes
 * are wrapped in fixed DER prefixes (PKCS#8 for seeds, SPKI for public keys,
 * RFC 8410). The prefixes are constants: no ASN.1 parser touches untrusted input.
 */
import { createHash, createHmac, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { LogCrypto } from '../../core/log/crypto.ts';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new TypeError('Ed25519 seed must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function publicKeyFromRaw(pub: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, pub]), format: 'der', type: 'spki' });
}

/** Small cache: a verifier checks many notes against the same few keys; building a KeyObject costs more than the verify. */
const pubCache = new Map<string, KeyObject>();

function cachedPublicKey(pub: Uint8Array): KeyObject {
  const k = Buffer.from(pub).toString('hex');
  let key = pubCache.get(k);
  if (!key) {
    key = publicKeyFromRaw(pub);
    if (pubCache.size > 256) pubCache.clear();
    pubCache.set(k, key);
  }
  return key;
}

/**
 * Return a plain Uint8Array view, not a Buffer: Buffer#slice aliases memory
 * where Uint8Array#slice copies, and core code (and its tests) rely on the
 * Uint8Array semantics — a caller "copying" a hash must not mutate the tree.
 */
function plain(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function createNodeLogCrypto(): LogCrypto {
  return {
    sha256(data: Uint8Array): Uint8Array {
      return plain(createHash('sha256').update(data).digest());
    },
    hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
      return plain(createHmac('sha256', key).update(data).digest());
    },
    ed25519Sign(privateKey: Uint8Array, msg: Uint8Array): Uint8Array {
      return plain(sign(null, msg, privateKeyFromSeed(privateKey)));
    },
    ed25519Verify(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
      if (publicKey.length !== 32 || sig.length !== 64) return false;
      try {
        return verify(null, msg, cachedPublicKey(publicKey), sig);
      } catch {
        return false;
      }
    },
    ed25519PublicKey(seed: Uint8Array): Uint8Array {
      const der = createPublicKey(privateKeyFromSeed(seed)).export({ format: 'der', type: 'spki' });
      return new Uint8Array(der.subarray(der.length - 32));
    },
  };
}

/** Shared instance; stateless apart from the public-key cache. */
export const nodeLogCrypto: LogCrypto = createNodeLogCrypto();
