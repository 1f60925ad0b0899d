/**
 * The transparency-log storage contract (core/log-ports.ts): every Store adapter passes it. Run by
 * log.contract.test.ts for memory, SQLite and PostgreSQL, with the real sequencer on top.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../core/ports.ts';
import { nodeLogCrypto } from '../crypto/node-crypto.ts';
import { encodeEntry, generateKeyPair, MemoryTileStore, parseSignerKey, parseVerifierKey, TileLogBuilder, verifyLog } from '../../core/log/index.ts';
import { Sequencer } from '../../use-cases/workers/sequence-log.ts';
import { letterFixture, signatureFixture, versionsFixture, type StoreFactory } from './store.case.ts';
import { randomBytes } from 'node:crypto';
import { nodeSecrets } from '../node-secrets.ts';
import { mailTemplates } from '../mail/templates.ts';
import type { Deps } from '../../use-cases/deps.ts';
import { confirm } from '../../use-cases/confirm.ts';
import { withdraw } from '../../use-cases/withdraw.ts';
import { removeSignature } from '../../use-cases/remove-signature.ts';
import { decideReview } from '../../use-cases/decide-review.ts';
import { eraseOnRequest } from '../../use-cases/erase.ts';
import { logPublishedTexts } from '../../use-cases/steps/log-entries.ts';
import type { QueuedKind } from '../../core/log-ports.ts';

const h = nodeLogCrypto;
const signer = parseSignerKey(h, generateKeyPair(h, 'contract.example/log', new Uint8Array(32).fill(7)).skey);
const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
const text = new Uint8Array(32).fill(1);
const letterEntry = (letter: string) => encodeEntry({ type: 'letter', letter, time: 1, text });
const sigEntry = (letter: string, n: number) => encodeEntry({ type: 'sig', letter, time: n, text, name: new Uint8Array(32).fill(n % 256), contact: new Uint8Array(32).fill(2) });

export async function verifyStoreLog(store: Store) {
  const st = (await store.log.state())!;
  const reader = {
    readTile: async (l: number, i: number, w: number) => (await store.log.readTile(l, i, w)) ?? Promise.reject(new Error('missing tile')),
    readEntryBundle: async (i: number, w: number) => (await store.log.readBundle(i, w)) ?? Promise.reject(new Error('missing bundle')),
  };
  return verifyLog({ crypto: h, reader, checkpoint: st.checkpoint, verifiers: [parseVerifierKey(h, signer.vkey)], origin: 'contract.example/log' });
}

export function logContract(factory: StoreFactory & { second?: (first: Store) => Promise<Store> }): void {
  describe(`Log storage contract: ${factory.name}`, () => {
    let store: Store;
    before(async () => {
      store = await factory.open();
    });
    after(async () => {
      await store.close();
    });

    test('queue: ids in order; pending until sequenced; refs resolved; state compare-and-set', async () => {
      const a = await store.log.enqueue({ kind: 'letter', letter: 'q-letter', time: 1, bytes: letterEntry('q-letter'), textHash: 'AAA' });
      const b = await store.log.enqueue({ kind: 'sig', letter: 'q-letter', time: 2, bytes: sigEntry('q-letter', 2), signatureId: 's1', textHash: 'AAA' });
      const c = await store.log.enqueue({ kind: 'remove', letter: 'q-letter', time: 3, refEntryId: b, reason: 'fraud', signatureId: 's1' });
      assert.ok(a < b && b < c);
      const p = await store.log.pending(10);
      assert.deepEqual(p.map((e) => e.id), [a, b, c]);
      assert.equal(p[2]!.bytes, undefined);
      assert.equal(p[2]!.refEntryId, b);
      assert.equal(p[2]!.reason, 'fraud');
      assert.deepEqual([...(await store.log.textHashes('q-letter'))], ['AAA']);
      assert.deepEqual(await store.log.removals('q-letter'), { withdrawn: 0, removed: { signer: 0, duplicate: 0, fraud: 1, legal: 0 } });
      await store.transaction(async (tx) => {
        assert.equal(await tx.log.lockSequencer(), true);
        // A far index, so that the sequencer cases below start from an empty log.
        await tx.log.recordSequenced([{ id: a, index: 1_000_000, bytes: letterEntry('q-letter') }]);
      });
      await assert.rejects(store.transaction((tx) => tx.log.recordSequenced([{ id: a, index: 1_000_001, bytes: letterEntry('q-letter') }])), /another process/);
      assert.deepEqual((await store.log.pending(10)).map((e) => e.id), [b, c]);
      assert.equal((await store.log.entriesById([a]))[0]!.index, 1_000_000);
      assert.deepEqual(await store.log.entryAt(1_000_000), letterEntry('q-letter'));
    });

    test('tiles only ever widen; narrower reads are prefixes; bundles likewise', async () => {
      const t5 = new Uint8Array(5 * 32).map((_, i) => i);
      await store.log.putTiles([{ level: 7, index: 3, width: 5, data: t5 }]);
      await store.log.putTiles([{ level: 7, index: 3, width: 2, data: new Uint8Array(64).fill(9) }]);
      assert.deepEqual(await store.log.readTile(7, 3, 5), t5);
      assert.deepEqual(await store.log.readTile(7, 3, 2), t5.subarray(0, 64));
      assert.equal(await store.log.readTile(7, 3, 6), undefined);
      const bundle = new Uint8Array([0, 1, 65, 0, 2, 66, 67, 0, 1, 68]);
      await store.log.putTiles([{ level: -1, index: 9, width: 3, data: bundle }]);
      assert.deepEqual(await store.log.readBundle(9, 2), bundle.subarray(0, 7));
      assert.deepEqual(await store.log.readBundle(9, 3), bundle);
    });

    test('signature log: openings round-trip, join the log index, erase; tokens; retention', async () => {
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      const s = signatureFixture(l.id, { status: 'confirmed', confirmedAt: '2026-01-02T00:00:00.000Z' });
      await store.signatures.insert(s);
      assert.deepEqual((await store.log.unlogged(l.id, 10)).map((x) => x.id), [s.id]);
      const entryId = await store.log.enqueue({ kind: 'sig', letter: l.slug, time: 5, bytes: sigEntry(l.slug, 5), signatureId: s.id });
      const o1 = new Uint8Array(32).fill(3);
      const o2 = new Uint8Array(32).fill(4);
      await store.log.putSignatureLog({ signatureId: s.id, letterId: l.id, entryId, nameOpening: o1, contactOpening: o2 });
      assert.deepEqual(await store.log.unlogged(l.id, 10), []);
      let r = (await store.log.signatureLog(s.id))!;
      assert.deepEqual(r.nameOpening, o1);
      assert.deepEqual(r.contactOpening, o2);
      assert.equal(r.logIndex, undefined);
      assert.equal((await store.log.signatureLogs([s.id, 'nope'])).size, 1);
      await store.log.eraseSignatureLog(s.id, '2026-02-01T00:00:00.000Z');
      r = (await store.log.signatureLog(s.id))!;
      assert.equal(r.nameOpening, undefined);
      assert.equal(r.erasedAt, '2026-02-01T00:00:00.000Z');
      await store.log.putSignerToken('tok-hash', s.id, 'withdraw', '2026-01-01T00:00:00.000Z');
      assert.deepEqual(await store.log.signerToken('tok-hash'), { signatureId: s.id, purpose: 'withdraw' });
      await store.log.putSignerToken('tok-manage', s.id, 'manage', '2026-01-01T00:00:00.000Z');
      assert.deepEqual(await store.log.signerToken('tok-manage'), { signatureId: s.id, purpose: 'manage' });
      await store.outbox.enqueue({ id: `m-${s.id}`, kind: 'mail', payload: { to: s.email, subject: 's', text: 't', lang: 'fa', template: 'confirm' }, runAt: '2026-01-01T00:00:00.000Z', attempts: 0, createdAt: '2026-01-01T00:00:00.000Z' });
      await store.outbox.enqueue({ id: `m-other-${s.id}`, kind: 'mail', payload: { to: 'x' + s.email, subject: 's', text: 't', lang: 'fa', template: 'confirm' }, runAt: '2026-01-01T00:00:00.000Z', attempts: 0, createdAt: '2026-01-01T00:00:00.000Z' });
      await store.log.forgetSigner(s.id, s.email);
      assert.equal(await store.log.signerToken('tok-hash'), undefined);
      assert.equal(await store.log.signerToken('tok-manage'), undefined);
      const left = (await store.outbox.list({ limit: 1000 })).map((j) => j.id);
      assert.ok(!left.includes(`m-${s.id}`) && left.includes(`m-other-${s.id}`));
      await store.log.setRetention(l.id, 30);
      assert.ok((await store.log.retentions()).some((x) => x.letterId === l.id && x.days === 30));
      await store.signatures.update({ ...s, status: 'withdrawn', withdrawnAt: '2026-01-05T00:00:00.000Z' });
      assert.deepEqual(await store.log.erasable(l.id, '2026-01-04T00:00:00.000Z', false, 10), []);
      assert.deepEqual(await store.log.erasable(l.id, '2026-01-06T00:00:00.000Z', false, 10), [s.id]);
      await store.log.setRetention(l.id, undefined);
      assert.ok(!(await store.log.retentions()).some((x) => x.letterId === l.id));
    });

    test('public openings: exactly what the public list shows, by log index; never hidden, withdrawn, old or unsequenced entries', async () => {
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      const at = '2026-01-02T00:00:00.000Z';
      const mk = async (name: string, over: Partial<Parameters<typeof signatureFixture>[1]>, index: number | undefined) => {
        const s = signatureFixture(l.id, { status: 'confirmed', confirmedAt: at, name, ...over });
        await store.signatures.insert(s);
        const entryId = await store.log.enqueue({ kind: 'sig', letter: l.slug, time: 5, bytes: sigEntry(l.slug, 5), signatureId: s.id });
        const nameOpening = new Uint8Array(32).fill(index === undefined ? 99 : index % 256);
        await store.log.putSignatureLog({ signatureId: s.id, letterId: l.id, entryId, nameOpening, contactOpening: new Uint8Array(32).fill(200) });
        if (index !== undefined) await store.log.recordSequenced([{ id: entryId, index, bytes: sigEntry(l.slug, 5) }]);
        return { s, entryId, nameOpening };
      };
      const base = 2_000_000; // far from the other cases' indexes
      const pub = await mk('Public Person', {}, base + 1);
      await mk('Hidden Person', { visibility: 'hidden' }, base + 2);
      await mk('Withdrawn Person', { status: 'withdrawn', withdrawnAt: at }, base + 3);
      await mk('Pending Person', { status: 'pending' }, base + 4);
      const erased = await mk('Erased Person', {}, base + 5);
      await store.log.eraseSignatureLog(erased.s.id, at);
      await mk('Not Sequenced', {}, undefined);
      // Withdrawn, then confirmed again: a new sig entry; only the current one is the signature's.
      const again = await mk('Again Person', {}, base + 6);
      const newEntry = await store.log.enqueue({ kind: 'sig', letter: l.slug, time: 6, bytes: sigEntry(l.slug, 6), signatureId: again.s.id });
      await store.log.recordSequenced([{ id: newEntry, index: base + 7, bytes: sigEntry(l.slug, 6) }]);
      await store.log.putSignatureLog({ signatureId: again.s.id, letterId: l.id, entryId: newEntry, nameOpening: again.nameOpening, contactOpening: new Uint8Array(32).fill(201) });

      const got = await store.log.publicOpenings(base, base + 256);
      assert.deepEqual(
        got.map((x) => ({ index: x.index, name: x.name, opening: x.nameOpening && Buffer.from(x.nameOpening).toString('hex') })),
        [
          { index: base + 1, name: 'Public Person', opening: Buffer.from(pub.nameOpening).toString('hex') },
          { index: base + 5, name: 'Erased Person', opening: undefined },
          { index: base + 7, name: 'Again Person', opening: Buffer.from(again.nameOpening).toString('hex') },
        ].map((x) => (x.opening === undefined ? { index: x.index, name: '', opening: undefined } : x)),
      );
      // The range is half-open and by log index.
      assert.deepEqual((await store.log.publicOpenings(base + 2, base + 7)).map((x) => x.index), [base + 5]);
      assert.deepEqual(await store.log.publicOpenings(base + 8, base + 8), []);
    });

    test('sequencer: batches, refs resolved across batches, the same tiles as an independent build, resumes', async () => {
      const seq = new Sequencer(store, clock, { crypto: h, signer, origin: 'contract.example/log', batchSize: 100 });
      await seq.drain();
      const base = (await store.log.state())!.size;
      // 300 signatures and a withdrawal of an early one: crosses tile boundaries and batches.
      const ids: number[] = [];
      for (let i = 0; i < 300; i++) ids.push(await store.log.enqueue({ kind: 'sig', letter: 'seq-letter', time: i, bytes: sigEntry('seq-letter', i) }));
      await store.log.enqueue({ kind: 'withdraw', letter: 'seq-letter', time: 999, refEntryId: ids[5]!, reason: 'signer' });
      assert.equal(await seq.runOnce(), 100);
      // A new sequencer (another process, or a restart) resumes from the stored tiles.
      const seq2 = new Sequencer(store, clock, { crypto: h, signer, origin: 'contract.example/log', batchSize: 100 });
      assert.equal(await seq2.drain(), 201);
      const st = (await store.log.state())!;
      assert.equal(st.size, base + 301);
      const res = await verifyStoreLog(store);
      assert.deepEqual(res.problems.filter((p) => !['UNKNOWN_LETTER', 'BAD_REF', 'REF_HASH', 'REF_LETTER', 'UNKNOWN_TEXT'].includes(p.code)), []);
      assert.equal(res.root && Buffer.from(res.root).toString('hex'), Buffer.from(st.root).toString('hex'));
      const tally = res.letters.find((x) => x.letter === 'seq-letter')!;
      assert.equal(tally.signatures, 300);
      assert.equal(tally.withdrawn, 1);
      // The same entries through the core alone give the same root.
      const mem = new MemoryTileStore();
      const b = TileLogBuilder.empty(h);
      for (let i = 0; i < st.size; i++) b.add((await store.log.entryAt(i))!);
      mem.write(b.flush());
      assert.deepEqual(b.root(), st.root);
    });

    test('races: 20 confirmations, withdrawals, removals, merges and erasures of one signature at once: one entry, one count change, no mail, each', async () => {
      const deps: Deps = {
        store,
        clock,
        secrets: nodeSecrets,
        templates: mailTemplates,
        baseUrl: 'http://race.example',
        log: { crypto: h, opening: () => new Uint8Array(randomBytes(32)) },
        signals: { mailQueued() {}, logQueued() {}, letterChanged() {} },
      };
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      const letter = (await store.letters.byId(l.id))!;
      await store.transaction((tx) => logPublishedTexts(tx, deps, letter));
      const entries = async (signatureId: string, kind: QueuedKind) => (await store.log.pending(100_000)).filter((e) => e.signatureId === signatureId && e.kind === kind).length;
      const mails = async () => (await store.outbox.list({ limit: 100_000 })).length;
      const at20 = <T>(f: () => Promise<T>) => Promise.allSettled(Array.from({ length: 20 }, f));
      const codes = (rs: PromiseSettledResult<unknown>[]) => rs.map((r) => (r.status === 'fulfilled' ? 'ok' : String((r.reason as { code?: string }).code ?? r.reason))).sort();
      /** One success, the other 19 answering `repeat`. */
      const oneAnd = (repeat: string) => ['ok', ...Array(19).fill(repeat)].sort();
      const pendingSig = async () => {
        const token = nodeSecrets.newToken();
        const s = signatureFixture(l.id, { tokenHash: nodeSecrets.hashToken(token) });
        await store.signatures.insert(s);
        return { s, token };
      };
      const confirmed = async () => {
        const p = await pendingSig();
        await confirm(deps, p.token);
        return p;
      };
      const mails0 = await mails();
      const count0 = await store.signatures.countConfirmed(l.id);

      // Confirmations: one succeeds (with a receipt token), the others answer as a repeat does.
      const a = await pendingSig();
      const rc = await at20(() => confirm(deps, a.token));
      assert.deepEqual(codes(rc), oneAnd('SIGNATURE_ALREADY_CONFIRMED'));
      assert.equal(await entries(a.s.id, 'sig'), 1, 'one sig entry');
      assert.equal(await store.signatures.countConfirmed(l.id), count0 + 1, 'one count delta');
      assert.equal((await store.signatures.stats(l.id)).publicCount, count0 + 1);

      // Withdrawals: every answer is a success, one of them the withdrawal, the others `already`.
      const wt = nodeSecrets.newToken();
      await store.log.putSignerToken(nodeSecrets.hashToken(wt), a.s.id, 'withdraw', '2026-01-01T00:00:00.000Z');
      const rw = await at20(() => withdraw(deps, wt));
      assert.deepEqual(codes(rw), Array(20).fill('ok'));
      assert.equal(rw.filter((r) => r.status === 'fulfilled' && !r.value.already).length, 1, 'one withdrawal, 19 repeats');
      assert.equal(await entries(a.s.id, 'withdraw'), 1, 'one withdraw entry');
      assert.equal(await store.signatures.countConfirmed(l.id), count0);

      // Organiser removals.
      const b = await confirmed();
      const rr = await at20(() => removeSignature(deps, l.slug, b.s.id, 'fraud', undefined));
      assert.deepEqual(codes(rr), oneAnd('SIGNATURE_NOT_CONFIRMED'));
      assert.equal(await entries(b.s.id, 'remove'), 1, 'one remove entry');
      assert.equal(await store.signatures.countConfirmed(l.id), count0);

      // Duplicate merges: the newer signature is removed once, as a duplicate.
      const older = await confirmed();
      const newer = await confirmed();
      // The fixtures share a name: the newer one's confirmation opened the review already.
      await store.reviews.insert({ id: `review-${newer.s.id}`, letterId: l.id, signatureId: newer.s.id, otherId: older.s.id, score: 1, band: 'likely', status: 'open', createdAt: '2026-01-01T00:00:00.000Z' });
      const reviewId = (await store.reviews.list(l.id, 'open')).find((r) => r.signatureId === newer.s.id && r.otherId === older.s.id)!.id;
      const rm = await at20(() => decideReview(deps, l.slug, reviewId, 'merge', undefined));
      assert.deepEqual(codes(rm), oneAnd('VALIDATION_FAILED'));
      assert.equal(await entries(newer.s.id, 'remove'), 1, 'one remove entry for the merge');
      assert.equal(await entries(older.s.id, 'remove'), 0);
      assert.equal(await store.signatures.countConfirmed(l.id), count0 + 1);
      assert.equal((await store.signatures.byId(older.s.id))!.status, 'confirmed');

      // Erasures on request: removed once (reason signer), then erased; the others find no such signature.
      const c = await confirmed();
      const re = await at20(() => eraseOnRequest(deps, l.slug, c.s.email));
      assert.deepEqual(codes(re), oneAnd('SIGNATURE_NOT_FOUND'));
      assert.equal(await entries(c.s.id, 'remove'), 1, 'one remove entry for the erasure');
      assert.equal(await store.signatures.countConfirmed(l.id), count0 + 1);

      assert.equal(await mails(), mails0, 'none of these mails anyone');
      assert.deepEqual(await store.log.removals(l.slug), { withdrawn: 1, removed: { signer: 1, duplicate: 1, fraud: 1, legal: 0 } });
      // Every entry queued here is a valid one: the log built from them verifies and counts as the store does.
      await new Sequencer(store, clock, { crypto: h, signer, origin: 'contract.example/log', batchSize: 1000 }).drain();
      const res = await verifyStoreLog(store);
      const tally = res.letters.find((x) => x.letter === l.slug)!;
      assert.equal(tally.count, await store.signatures.countConfirmed(l.id));
      assert.equal(tally.signatures, 5);
      assert.equal(tally.withdrawn + tally.removed.signer + tally.removed.duplicate + tally.removed.fraud, 4);
    });

    test('duplicates: a signature entry written again is a repeat of the previous one unless that was cancelled; removals count a first cancellation only', async () => {
      const letter = `dup-${Date.now()}`;
      const q = (e: Parameters<Store['log']['enqueue']>[0]) => store.log.enqueue(e);
      const sig = (n: number, signatureId: string) => q({ kind: 'sig', letter, time: n, bytes: sigEntry(letter, n), signatureId });
      const a1 = await sig(1, 'dup-a');
      await sig(2, 'dup-a'); // a repeat of a1
      await sig(3, 'dup-a'); // a repeat of the one before
      const b1 = await sig(4, 'dup-b');
      await q({ kind: 'withdraw', letter, time: 5, refEntryId: b1, reason: 'signer', signatureId: 'dup-b' });
      await q({ kind: 'withdraw', letter, time: 6, refEntryId: b1, reason: 'signer', signatureId: 'dup-b' }); // a duplicate
      await q({ kind: 'remove', letter, time: 6, refEntryId: a1, reason: 'fraud', signatureId: 'dup-a' });
      await sig(7, 'dup-b'); // given again after the withdrawal: not a repeat
      await sig(8, 'dup-c');
      assert.deepEqual(await store.log.removals(letter), { withdrawn: 1, removed: { signer: 0, duplicate: 0, fraud: 1, legal: 0 } });
      await new Sequencer(store, clock, { crypto: h, signer, origin: 'contract.example/log', batchSize: 1000 }).drain();
      const [ia1] = (await store.log.entriesById([a1])).map((e) => e.index!);
      const size = (await store.log.state())!.size;
      assert.deepEqual(await store.log.repeatedSignatures(ia1!, size), [{ index: ia1! + 1, of: ia1! }, { index: ia1! + 2, of: ia1! + 1 }]);
      assert.deepEqual(await store.log.repeatedSignatures(ia1! + 2, size), [{ index: ia1! + 2, of: ia1! + 1 }]);
      assert.deepEqual(await store.log.repeatedSignatures(ia1! + 3, size), []);
      // A signer's own entries, in queue order, with their indexes once sequenced (the manage page lists them).
      assert.deepEqual((await store.log.entriesOfSignature('dup-b')).map((e) => [e.kind, e.time, e.reason, e.index !== undefined]),
        [['sig', 4, undefined, true], ['withdraw', 5, 'signer', true], ['withdraw', 6, 'signer', true], ['sig', 7, undefined, true]]);
      assert.deepEqual(await store.log.entriesOfSignature('nobody'), []);
    });

    if (factory.second) {
      test('two sequencers on one database never fork the log', async () => {
        const other = await factory.second!(store);
        try {
          const mk = (s: Store) => new Sequencer(s, clock, { crypto: h, signer, origin: 'contract.example/log', batchSize: 7 });
          const a = mk(store);
          const b = mk(other);
          for (let i = 0; i < 200; i++) await store.log.enqueue({ kind: 'sig', letter: 'race-letter', time: i, bytes: sigEntry('race-letter', i) });
          const run = async (s: Sequencer) => {
            let n = 0;
            for (let i = 0; i < 200 && (await store.log.pendingCount()) > 0; i++) n += await s.runOnce().catch(() => 0);
            return n;
          };
          const [na, nb] = await Promise.all([run(a), run(b)]);
          assert.equal(na + nb, 200);
          const res = await verifyStoreLog(store);
          assert.equal(res.root && Buffer.from(res.root).toString('hex'), Buffer.from((await store.log.state())!.root).toString('hex'));
          assert.equal(res.letters.find((x) => x.letter === 'race-letter')!.signatures, 200);
        } finally {
          await other.close();
        }
      });
    }
  });
}
