/** Verifies a store's published log with the core (used by bench/sequencer.ts as a sanity check, not timed). */
import { nodeLogCrypto } from '../src/adapters/crypto/node-crypto.ts';
import { parseVerifierKey, verifyLog } from '../src/core/log/index.ts';
import type { Store } from '../src/core/ports.ts';

export async function verifyStoreLogFor(store: Store, vkey: string, origin: string): Promise<boolean> {
  const st = await store.log.state();
  if (!st) return false;
  const reader = {
    readTile: async (l: number, i: number, w: number) => (await store.log.readTile(l, i, w)) ?? Promise.reject(new Error('missing tile')),
    readEntryBundle: async (i: number, w: number) => (await store.log.readBundle(i, w)) ?? Promise.reject(new Error('missing bundle')),
  };
  const r = await verifyLog({ crypto: nodeLogCrypto, reader, checkpoint: st.checkpoint, verifiers: [parseVerifierKey(nodeLogCrypto, vkey)], origin });
  return r.ok;
}
