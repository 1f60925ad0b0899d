/**
 * The DeliveryRepo contract (a letter's targets and the deliveries of its PDF): every Store adapter passes it, run by
 * deliveries.contract.test.ts on memory, SQLite and PostgreSQL. A delivery takes one outcome, whatever races.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../core/ports.ts';
import type { Delivery } from '../../core/model.ts';
import type { StoreFactory } from './store.case.ts';
import { letterFixture } from './store.case.ts';

let seq = 0;
const id = (p: string) => `${p}-${process.pid}-${++seq}`;
const at = '2026-03-01T10:00:00.000Z';

function delivery(letterId: string, targetId: string, over: Partial<Delivery> = {}): Delivery {
  return { id: id('delivery'), run: 'run-1', letterId, targetId, status: 'queued', pdfSha256: 'c2hh', treeSize: 7, createdAt: at, updatedAt: at, ...over };
}

export function deliveriesContract(factory: StoreFactory): void {
  describe(`Deliveries contract: ${factory.name}`, () => {
    let store: Store;
    before(async () => {
      store = await factory.open();
    });
    after(async () => {
      await store.close();
    });

    test('targets round-trip in order and are replaced whole; deliveries list newest run first, in target order', async () => {
      const l = letterFixture();
      await store.letters.insert(l, [{ lang: 'fa', title: 't', body: 'b' }]);
      const a = { id: id('t'), letterId: l.id, name: 'دفتر ریاست', email: 'a@example.org', lang: 'fa' };
      const b = { id: id('t'), letterId: l.id, name: 'Ilir Meta', title: 'President', email: 'b@example.org', lang: 'en' };
      await store.deliveries.putTargets(l.id, [b, a]);
      const row = (t: { id: string; letterId: string; name: string; title?: string | undefined; email: string; lang: string }) => [t.id, t.letterId, t.name, t.title ?? null, t.email, t.lang];
      assert.deepEqual((await store.deliveries.targets(l.id)).map(row), [row(b), row(a)]);
      await store.deliveries.putTargets(l.id, [a]);
      assert.deepEqual((await store.deliveries.targets(l.id)).map((t) => t.id), [a.id]);
      await store.deliveries.putTargets(l.id, [b, a]);
      await store.transaction(async (tx) => {
        await tx.deliveries.insert(delivery(l.id, a.id, { run: 'run-1' }));
        await tx.deliveries.insert(delivery(l.id, b.id, { run: 'run-1' }));
      });
      const later = '2026-03-02T10:00:00.000Z';
      await store.deliveries.insert(delivery(l.id, a.id, { run: 'run-2', createdAt: later, updatedAt: later }));
      const got = await store.deliveries.byLetter(l.id);
      assert.deepEqual(got.map((d) => [d.run, d.targetId]), [['run-2', a.id], ['run-1', b.id], ['run-1', a.id]]);
      assert.equal(got[0]!.treeSize, 7);
      assert.equal(got[0]!.sentAt, undefined);
    });

    test('settle: only a queued delivery takes an outcome, once; 20 at once, one wins', async () => {
      const l = letterFixture();
      await store.letters.insert(l, [{ lang: 'fa', title: 't', body: 'b' }]);
      const d = delivery(l.id, 'target');
      await store.deliveries.insert(d);
      const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => store.deliveries.settle(d.id, i % 2 ? 'sent' : 'failed', at, i % 2 ? undefined : '550 no such mailbox')));
      assert.equal(wins.filter(Boolean).length, 1);
      const [got] = await store.deliveries.byLetter(l.id);
      assert.notEqual(got!.status, 'queued');
      assert.equal(got!.sentAt, got!.status === 'sent' ? at : undefined);
      assert.equal(await store.deliveries.settle(d.id, 'sent', at), false, 'settled already');
      assert.equal(await store.deliveries.settle('no-such-delivery', 'sent', at), false);
    });

    test('bounce: only a sent delivery bounces, once; 20 at once (in transactions), one wins; its sentAt stays', async () => {
      const l = letterFixture();
      await store.letters.insert(l, [{ lang: 'fa', title: 't', body: 'b' }]);
      const queued = delivery(l.id, 'target-q');
      const failed = delivery(l.id, 'target-f');
      const sent = delivery(l.id, 'target-s');
      for (const d of [queued, failed, sent]) await store.deliveries.insert(d);
      assert.equal(await store.deliveries.settle(failed.id, 'failed', at, '550 no such mailbox'), true);
      assert.equal(await store.deliveries.settle(sent.id, 'sent', at), true);
      const later = '2026-03-02T09:00:00.000Z';
      assert.equal(await store.deliveries.bounce(queued.id, later, 'x'), false, 'a queued delivery was not sent');
      assert.equal(await store.deliveries.bounce(failed.id, later, 'x'), false, 'a failed one was not sent');
      assert.equal(await store.deliveries.bounce('no-such-delivery', later, 'x'), false);
      const reasons = Array.from({ length: 20 }, (_, i) => `550 5.1.1 Mailbox unavailable (${i})`);
      const wins = await Promise.all(reasons.map((r) => store.transaction((tx) => tx.deliveries.bounce(sent.id, later, r))));
      assert.equal(wins.filter(Boolean).length, 1);
      const got = (await store.deliveries.byLetter(l.id)).find((d) => d.id === sent.id)!;
      assert.equal(got.status, 'bounced');
      assert.equal(got.error, reasons[wins.indexOf(true)], 'the winner\'s message is kept');
      assert.equal(got.sentAt, at);
      assert.equal(got.updatedAt, later);
      assert.equal(await store.deliveries.bounce(sent.id, later, 'again'), false, 'bounced already');
      assert.equal((await store.deliveries.byLetter(l.id)).find((d) => d.id === failed.id)!.status, 'failed');
    });
  });
}
