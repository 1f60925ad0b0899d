/**
 * The UpdateRepo contract (updates to signers, unsubscriptions, replies): every Store adapter passes it, run by
 * updates.contract.test.ts on memory, SQLite and PostgreSQL. Of 20 inserts of one key one wins, in transactions too;
 * of 20 unsubscriptions one changes the row; only confirmed, opted-in, not erased signatures are recipients.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../core/ports.ts';
import type { LetterUpdate } from '../../core/model.ts';
import type { StoreFactory } from './store.case.ts';
import { letterFixture, signatureFixture } from './store.case.ts';

let seq = 0;
const id = (p: string) => `${p}-${process.pid}-${++seq}`;
const at = '2026-03-01T10:00:00.000Z';

const update = (letterId: string, over: Partial<LetterUpdate> = {}): LetterUpdate => ({
  id: id('u'), letterId, key: 'key-1', kind: 'update', subject: { fa: 'خبر', en: 'News' }, body: { fa: 'متن', en: 'Text' }, recipients: 2, createdAt: at, fanoutDone: false, ...over,
});

export function updatesContract(factory: StoreFactory): void {
  describe(`Updates contract: ${factory.name}`, () => {
    let store: Store;
    before(async () => {
      store = await factory.open();
    });
    after(async () => {
      await store.close();
    });

    test('recipients: confirmed, opted in, with an address; unsubscribe once, kept', async () => {
      const l = letterFixture();
      await store.letters.insert(l, [{ lang: 'fa', title: 't', body: 'b' }]);
      const yes = signatureFixture(l.id, { status: 'confirmed', consentUpdates: true, lang: 'en', createdAt: '2026-01-01T00:00:01.000Z' });
      const yes2 = signatureFixture(l.id, { status: 'confirmed', consentUpdates: true, createdAt: '2026-01-01T00:00:02.000Z' });
      const no = signatureFixture(l.id, { status: 'confirmed', consentUpdates: false });
      const pending = signatureFixture(l.id, { status: 'pending', consentUpdates: true });
      const withdrawn = signatureFixture(l.id, { status: 'withdrawn', consentUpdates: true });
      const erased = signatureFixture(l.id, { status: 'confirmed', consentUpdates: true, email: '', emailKey: 'erased:x' });
      for (const s of [yes, yes2, no, pending, withdrawn, erased]) assert.equal(await store.signatures.insert(s), true);
      assert.deepEqual(await store.updates.recipients(l.id), [{ signatureId: yes.id, email: yes.email, lang: 'en' }, { signatureId: yes2.id, email: yes2.email, lang: 'fa' }]);
      assert.equal(await store.updates.recipientCount(l.id), 2, 'counted by the database, the same two');
      // In id order from a cursor, for the fan-out's batches.
      const [lo, hi] = [yes, yes2].sort((a, b) => (a.id < b.id ? -1 : 1));
      assert.deepEqual((await store.updates.recipientsAfter(l.id, undefined, 1)).map((r) => r.signatureId), [lo!.id]);
      assert.deepEqual((await store.updates.recipientsAfter(l.id, lo!.id, 10)).map((r) => r.signatureId), [hi!.id]);
      assert.deepEqual(await store.updates.recipientsAfter(l.id, hi!.id, 10), []);
      const wins = await Promise.all(Array.from({ length: 20 }, () => store.updates.unsubscribe(yes.id, at)));
      assert.equal(wins.filter(Boolean).length, 1);
      assert.deepEqual((await store.updates.recipients(l.id)).map((r) => r.signatureId), [yes2.id]);
      const after = await store.signatures.byId(yes.id);
      assert.equal(after?.consentUpdates, false);
      assert.equal(after?.updatedAt, at, 'the row changed: a writer holding it as read before reads it again');
      assert.equal(await store.updates.unsubscribe(no.id, at), false);
    });

    test('unsubscribed: confirmed signers who stopped updates through an update mail\'s link (not those who never opted in)', async () => {
      const l = letterFixture();
      await store.letters.insert(l, [{ lang: 'fa', title: 't', body: 'b' }]);
      const a = signatureFixture(l.id, { status: 'confirmed', consentUpdates: true });
      const b = signatureFixture(l.id, { status: 'confirmed', consentUpdates: true });
      const never = signatureFixture(l.id, { status: 'confirmed', consentUpdates: false });
      const gone = signatureFixture(l.id, { status: 'withdrawn', consentUpdates: true });
      for (const s of [a, b, never, gone]) assert.equal(await store.signatures.insert(s), true);
      for (const s of [a, b, gone]) await store.log.putSignerToken(id('unsub-hash'), s.id, 'unsubscribe', at);
      assert.equal(await store.updates.unsubscribed(l.id), 0);
      assert.equal(await store.updates.unsubscribe(a.id, at), true);
      assert.equal(await store.updates.unsubscribe(gone.id, at), true);
      assert.equal(await store.updates.unsubscribed(l.id), 1, 'a withdrawn signer is no longer a signer');
      assert.equal((await store.updates.recipients(l.id)).length, 1);
    });

    test('one update per key: 20 inserts at once (in transactions), one wins; listed newest first', async () => {
      const l = letterFixture();
      await store.letters.insert(l, [{ lang: 'fa', title: 't', body: 'b' }]);
      const wins = await Promise.all(Array.from({ length: 20 }, () => store.transaction((tx) => tx.updates.insertUpdate(update(l.id)))));
      assert.equal(wins.filter(Boolean).length, 1);
      const kept = await store.updates.updateByKey(l.id, 'key-1');
      assert.deepEqual(kept?.subject, { fa: 'خبر', en: 'News' });
      assert.equal(kept?.recipients, 2);
      // The same key on another letter is another update.
      const other = letterFixture();
      await store.letters.insert(other, [{ lang: 'fa', title: 't', body: 'b' }]);
      assert.equal(await store.updates.insertUpdate(update(other.id)), true);
      assert.equal(await store.updates.insertUpdate(update(l.id, { key: 'key-2', kind: 'milestone', createdAt: '2026-03-02T10:00:00.000Z' })), true);
      assert.deepEqual((await store.updates.updates(l.id)).map((u) => [u.key, u.kind]), [['key-2', 'milestone'], ['key-1', 'update']]);
    });

    test('the fan-out cursor: of 20 moves from one place at once one lands; done ends it; unfinished ones are found', async () => {
      const l = letterFixture();
      await store.letters.insert(l, [{ lang: 'fa', title: 't', body: 'b' }]);
      const u = update(l.id, { key: id('k') });
      assert.equal(await store.updates.insertUpdate(u), true);
      assert.ok((await store.updates.unfinishedFanouts(at, 100)).some((x) => x.id === u.id), 'not moved since it was stored');
      assert.ok(!(await store.updates.unfinishedFanouts('2026-02-01T00:00:00.000Z', 100)).some((x) => x.id === u.id), 'newer than the bound');
      const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => store.transaction((tx) => tx.updates.advanceFanout(u.id, undefined, `s-${i}`, false, '2026-03-01T10:01:00.000Z'))));
      assert.equal(wins.filter(Boolean).length, 1);
      const moved = (await store.updates.updateById(u.id))!;
      assert.equal(moved.fanoutAfter, `s-${wins.indexOf(true)}`);
      assert.equal(moved.fanoutDone, false);
      assert.equal(moved.fanoutAt, '2026-03-01T10:01:00.000Z');
      assert.equal(await store.updates.advanceFanout(u.id, undefined, 'again', false, at), false, 'the cursor is no longer where it was read');
      assert.equal(await store.updates.advanceFanout(u.id, moved.fanoutAfter, 'z', true, '2026-03-01T10:02:00.000Z'), true);
      assert.equal((await store.updates.updateById(u.id))!.fanoutDone, true);
      assert.equal(await store.updates.advanceFanout(u.id, 'z', 'zz', true, at), false, 'done is done');
      assert.ok(!(await store.updates.unfinishedFanouts('2027-01-01T00:00:00.000Z', 100)).some((x) => x.id === u.id));
    });

    test('replies: inserted once per id, newest first, the PDF kept byte for byte', async () => {
      const l = letterFixture();
      await store.letters.insert(l, [{ lang: 'fa', title: 't', body: 'b' }]);
      const pdf = new Uint8Array([37, 80, 68, 70, 45, 0, 255, 10]);
      const r1 = { id: id('reply'), letterId: l.id, receivedOn: '2026-02-01', texts: [{ lang: 'fa', body: 'پاسخ\u200cها' }], textSha256: 'aGFzaA==', createdAt: at };
      const r2 = { ...r1, id: id('reply'), receivedOn: '2026-02-10', pdfSha256: 'cGRm', createdAt: at };
      const wins = await Promise.all(Array.from({ length: 20 }, () => store.updates.insertReply(r1)));
      assert.equal(wins.filter(Boolean).length, 1);
      assert.equal(await store.updates.insertReply(r2, pdf), true);
      const got = await store.updates.replies(l.id);
      assert.deepEqual(got.map((r) => r.id), [r2.id, r1.id]);
      assert.equal(got[1]!.texts[0]!.body, 'پاسخ\u200cها');
      assert.deepEqual(await store.updates.replyPdf(l.id, r2.id), pdf);
      assert.equal(await store.updates.replyPdf(l.id, r1.id), undefined);
      assert.equal(await store.updates.replyPdf('another-letter', r2.id), undefined);
    });
  });
}
