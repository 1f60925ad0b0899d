/**
 * HMAC-SHA256 (RFC 2104) for the audit's commitment checks, with the key's inner and outer SHA-256 states computed
 * once per key. Every commitment uses the same key ("undersigned/commit/v1") and a short message (32-byte opening,
 * label, name), so each HMAC is two or three SHA-256 blocks here, where node:crypto's createHmac re-derives the key
 * and builds two hash objects per call: at 900,000 public names that was the audit's largest single cost after the
 * tree. Tested against node:crypto (hmac.test.ts).
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const W = new Int32Array(64);

/** One SHA-256 compression of the 64 bytes at `block[off…]` into `st`. */
function compress(st: Int32Array, block: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + 4 * i;
    W[i] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15]!;
    const y = W[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = st[0]!;
  let b = st[1]!;
  let c = st[2]!;
  let d = st[3]!;
  let e = st[4]!;
  let f = st[5]!;
  let g = st[6]!;
  let h = st[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  st[0] = (st[0]! + a) | 0;
  st[1] = (st[1]! + b) | 0;
  st[2] = (st[2]! + c) | 0;
  st[3] = (st[3]! + d) | 0;
  st[4] = (st[4]! + e) | 0;
  st[5] = (st[5]! + f) | 0;
  st[6] = (st[6]! + g) | 0;
  st[7] = (st[7]! + h) | 0;
}

let pad = new Uint8Array(192);

/**
 * Finishes a SHA-256 whose state `st` has absorbed `done` bytes (a multiple of 64), with `data` as the rest of the
 * message; writes the digest into `out`.
 */
function finish(st: Int32Array, done: number, data: Uint8Array, out: Uint8Array): void {
  let off = 0;
  for (; off + 64 <= data.length; off += 64) compress(st, data, off);
  const rest = data.length - off;
  const blocks = rest + 9 <= 64 ? 1 : 2;
  if (pad.length < 64 * blocks) pad = new Uint8Array(64 * blocks);
  pad.fill(0, 0, 64 * blocks);
  pad.set(data.subarray(off), 0);
  pad[rest] = 0x80;
  const bits = (done + data.length) * 8;
  const end = 64 * blocks;
  // Message length in bits, big-endian, in the last 8 bytes (messages here are far below 2^32 bytes).
  pad[end - 5] = Math.floor(bits / 2 ** 32) & 0xff;
  pad[end - 4] = (bits >>> 24) & 0xff;
  pad[end - 3] = (bits >>> 16) & 0xff;
  pad[end - 2] = (bits >>> 8) & 0xff;
  pad[end - 1] = bits & 0xff;
  for (let b = 0; b < blocks; b++) compress(st, pad, 64 * b);
  for (let i = 0; i < 8; i++) {
    const v = st[i]!;
    out[4 * i] = v >>> 24;
    out[4 * i + 1] = (v >>> 16) & 0xff;
    out[4 * i + 2] = (v >>> 8) & 0xff;
    out[4 * i + 3] = v & 0xff;
  }
}

function sha256(data: Uint8Array): Uint8Array {
  const st = IV.slice();
  const out = new Uint8Array(32);
  finish(st, 0, data, out);
  return out;
}

interface KeyState {
  key: Uint8Array;
  inner: Int32Array;
  outer: Int32Array;
}

function keyState(key: Uint8Array): KeyState {
  const k = new Uint8Array(64);
  k.set(key.length > 64 ? sha256(key) : key);
  const ipad = k.map((x) => x ^ 0x36);
  const opad = k.map((x) => x ^ 0x5c);
  const inner = IV.slice();
  compress(inner, ipad, 0);
  const outer = IV.slice();
  compress(outer, opad, 0);
  return { key: key.slice(), inner, outer };
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const st = new Int32Array(8);
const innerDigest = new Uint8Array(32);
let last: KeyState | undefined;

/** HMAC-SHA256(key, data); a fresh 32-byte array. The last key's states are kept (the audit uses one key). */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (!last || !sameKey(last.key, key)) last = keyState(key);
  st.set(last.inner);
  finish(st, 64, data, innerDigest);
  st.set(last.outer);
  const out = new Uint8Array(32);
  finish(st, 64, innerDigest, out);
  return out;
}
