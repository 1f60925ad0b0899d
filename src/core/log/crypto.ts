/**
 * Injected cryptography for the transparency-log core.
 *
 * Why injected: the core must stay pure (no `node:*`, no I/O) so the very same
 * code runs in the sequencer, the `undersigned audit` command and, later, in the
 * signer's browser to check a receipt without trusting the server. Node supplies
 * `node:crypto` (src/adapters/crypto/node-crypto.ts); a browser can supply
 * WebCrypto or @noble. `sha256` is synchronous on purpose: rebuilding a
 * 1,000,000-entry tree costs about two million hashes, and a promise per hash
 * would dominate the run time.
 */

/** The only primitive the Merkle tree code needs. */
export interface LogHasher {
  /**
   * SHA-256 of `data`; must return a fresh 32-byte array (callers keep it) and
   * must not retain `data` (callers reuse their input buffer).
   */
  sha256(data: Uint8Array): Uint8Array;
}

export interface LogCrypto extends LogHasher {
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** `privateKey` is the 32-byte Ed25519 seed (RFC 8032), not an expanded key. */
  ed25519Sign(privateKey: Uint8Array, msg: Uint8Array): Uint8Array;
  /** Must return false (never throw) for malformed keys or signatures. */
  ed25519Verify(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean;
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
}
