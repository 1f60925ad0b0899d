/** Randomness and hashing of secrets from node:crypto. */
import { createHash, randomBytes } from 'node:crypto';
import type { Secrets } from '../core/ports.ts';

let last = 0;
let counter = 0;

export const nodeSecrets: Secrets = {
  // Time-ordered ids (base36 milliseconds + counter + random) so rows sort by creation and indexes stay compact.
  newId() {
    const now = Date.now();
    counter = now === last ? counter + 1 : 0;
    last = now;
    return now.toString(36).padStart(9, '0') + counter.toString(36).padStart(3, '0') + randomBytes(6).toString('hex');
  },
  newToken() {
    return randomBytes(24).toString('base64url');
  },
  hashToken(token: string) {
    return createHash('sha256').update(token).digest('base64url');
  },
};
