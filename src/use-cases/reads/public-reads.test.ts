import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../adapters/storage/memory/index.ts';
import { letterFixture, signatureFixture, versionsFixture } from '../../adapters/storage/store.case.ts';
import type { PublicSignature, Signature } from '../../core/model.ts';
import type { Deps } from '../deps.ts';
import { comparator, PAGE_SIZE, PublicReads, sortAsync, sortForLanguage } from './public-reads.ts';

function setup() {
  const store = new MemoryStore();
  let now = Date.parse('2026-04-01T00:00:00.000Z');
  const deps = { store, clock: { now: () => new Date(now) }, secrets: {}, templates: {}, baseUrl: 'http://x' } as unknown as Deps;
  return { store, reads: new PublicReads(deps), tick: (ms: number) => (now += ms), at: () => new Date(now).toISOString() };
}

const names = ['Zoë', 'zoe', 'Ali', 'ali', 'Émile', 'Emile', 'Ｚ', 'علی', 'زهرا', 'آرش', 'Ärger', 'a10', 'a9', ''];

test('sortAsync sorts exactly as sortForLanguage', async () => {
  const rows: PublicSignature[] = Array.from({ length: 5000 }, (_, i) => ({
    id: `id${(i * 7919) % 5000}`,
    name: `${names[i % names.length]}${(i * 31) % 97}`,
    nameAlt: i % 3 ? undefined : names[(i * 5) % names.length],
    confirmedAt: '',
  }));
  for (const lang of ['en', 'fa', 'de']) {
    assert.deepEqual((await sortAsync(rows, comparator(lang))).map((r) => r.id), sortForLanguage(rows, lang).map((r) => r.id), lang);
  }
});

for (const size of [10, 6000]) {
  test(`the public list follows confirmations, withdrawals and visibility changes (${size} names: ${size < 5000 ? 'rebuilt' : 'merged incrementally'})`, async () => {
    const { store, reads, tick, at } = setup();
    const l = letterFixture();
    await store.letters.insert(l, versionsFixture);
    const sigs: Signature[] = [];
    for (let i = 0; i < size; i++) {
      const s = signatureFixture(l.id, { name: `${names[i % names.length]} ${i}`, status: 'confirmed', confirmedAt: at(), updatedAt: at() });
      sigs.push(s);
      await store.signatures.insert(s);
    }
    const all = async (lang: string) => {
      const first = await reads.page(l.id, lang, 1);
      const out = [...first.items];
      for (let p = 2; p <= first.pages; p++) out.push(...(await reads.page(l.id, lang, p)).items);
      return out.map((x) => x.id);
    };
    const expectList = async () => {
      const listed = (await store.signatures.listPublic(l.id));
      for (const lang of ['en', 'fa']) assert.deepEqual(await all(lang), sortForLanguage(listed, lang).map((x) => x.id), lang);
    };
    await expectList();
    tick(10);
    // A new confirmation, a withdrawal, a name hidden, a name corrected: all seen after invalidate().
    const added = signatureFixture(l.id, { name: 'Aaron New', status: 'confirmed', confirmedAt: at(), updatedAt: at() });
    await store.signatures.insert(added);
    await store.signatures.update({ ...sigs[1]!, status: 'withdrawn', updatedAt: at() });
    await store.signatures.update({ ...sigs[2]!, visibility: 'hidden', updatedAt: at() });
    await store.signatures.update({ ...sigs[3]!, name: 'Corrected Name', updatedAt: at() });
    reads.invalidate(l.id);
    await expectList();
    const page = await reads.page(l.id, 'en', 1);
    assert.equal(page.total, size - 1, 'one added, one withdrawn, one hidden');
    assert.ok(page.items.length <= PAGE_SIZE);
    assert.equal(await reads.count(l.id), size);
    // Without invalidate: the next read after the cache time triggers a background refresh.
    tick(10);
    await store.signatures.insert(signatureFixture(l.id, { name: 'Later', status: 'confirmed', confirmedAt: at(), updatedAt: at() }));
    tick(2500);
    await reads.page(l.id, 'en', 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await reads.page(l.id, 'en', 1)).total, size);
    assert.equal(await reads.count(l.id), size + 1);
    assert.equal((await reads.stats(l.id)).count, size + 1);
  });
}
