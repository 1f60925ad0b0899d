/**
 * The audit's hashing: node:crypto, with the one-shot hash (Node ≥ 20.12) where there is one — a million leaves
 * and as many tree nodes cost about a fifth less than with a Hash object each. Same bytes as nodeLogCrypto.
 */
import { hash as oneShotHash } from 'node:crypto';
import { nodeLogCrypto } from '../../crypto/node-crypto.ts';
import type { LogCrypto } from '../../../core/log/index.ts';

export const auditCrypto: LogCrypto =
  typeof oneShotHash === 'function'
    ? {
        ...nodeLogCrypto,
        sha256: (data: Uint8Array) => {
          const b = oneShotHash('sha256', data, 'buffer');
          return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
        },
      }
    : nodeLogCrypto;
