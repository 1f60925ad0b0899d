/**
 * Property tests (fast-check, seeded) of the names engine's keys and the signature state machine.
 *
 * Names: keys are a pure function of the name (same input, same keys, sorted, no duplicates); they do not change
 * with what people type differently for the same name — Arabic ي/ك for Persian ی/ک, ZWNJ or a space, invisible
 * characters, letter case, surrounding spaces; a name and its second-script form given in either order key alike.
 * States: the machine of core/signatures/signature.ts nextStatus: only an organiser's release makes a held signing
 * count; no event takes a withdrawn signature back to counted; every status reached from 'pending' is a status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { blockingKeys, compareNames, nameKey } from '../../src/core/names/index.ts';
import { nextStatus, type SignatureEvent } from '../../src/core/signatures/signature.ts';
import type { SignatureStatus } from '../../src/core/model.ts';

const SEED = 15_2026;
const runs = { seed: SEED, numRuns: 400 };

const persianLetters = 'ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیی'.split('');
const latinLetters = 'abcdefghijklmnopqrstuvwxyz'.split('');
const word = (letters: string[]) => fc.string({ unit: fc.constantFrom(...letters), minLength: 2, maxLength: 8 });
const persianName = fc.array(word(persianLetters), { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));
const latinName = fc.array(word(latinLetters), { minLength: 1, maxLength: 4 }).map((w) => w.map((x) => x[0]!.toUpperCase() + x.slice(1)).join(' '));
const anyName = fc.oneof(persianName, latinName, fc.string({ maxLength: 40 }));

test('names: keys are deterministic, sorted and without duplicates, for any string', () => {
  fc.assert(fc.property(anyName, fc.option(anyName), (name, alt) => {
    const k = blockingKeys(name, alt);
    assert.deepEqual(blockingKeys(name, alt), k);
    assert.deepEqual([...k].sort(), k);
    assert.equal(new Set(k).size, k.length);
    for (const key of k) assert.equal(typeof key, 'string');
  }), runs);
});

test('names: Arabic ي/ك keep every key (and the name key), invisible characters, case and spacing change nothing', () => {
  fc.assert(fc.property(persianName, (name) => {
    const arabicKeyboard = name.replaceAll('ی', 'ي').replaceAll('ک', 'ك');
    // Arabic ي/ك with no Persian-only letter may also be read the Arabic way (ج as g, …): more candidates, never
    // fewer — every key of the Persian spelling is a key of the Arabic-keyboard one.
    const arabicKeys = new Set(blockingKeys(arabicKeyboard));
    for (const k of blockingKeys(name)) assert.ok(arabicKeys.has(k), `${name}: key ${k} kept with Arabic ي/ك`);
    assert.equal(nameKey(arabicKeyboard), nameKey(name));
    assert.deepEqual(blockingKeys(`  ${name}\u200b `), blockingKeys(name));
  }), runs);
  fc.assert(fc.property(latinName, (name) => {
    assert.deepEqual(blockingKeys(name.toUpperCase()), blockingKeys(name));
    assert.deepEqual(blockingKeys(name.replaceAll(' ', '  ')), blockingKeys(name));
  }), runs);
});

test('names: a name with its second-script form keys alike in either order, and covers the name alone', () => {
  fc.assert(fc.property(persianName, latinName, (fa, en) => {
    assert.deepEqual(blockingKeys(fa, en), blockingKeys(en, fa));
    const both = new Set(blockingKeys(fa, en));
    for (const k of blockingKeys(fa)) assert.ok(both.has(k));
  }), runs);
});

test('names: a name compared with itself is the same person; the score is symmetric', () => {
  fc.assert(fc.property(fc.oneof(persianName, latinName), fc.oneof(persianName, latinName), (a, b) => {
    assert.ok(compareNames(a, a).score >= 0.99, a);
    assert.ok(Math.abs(compareNames(a, b).score - compareNames(b, a).score) < 1e-9);
  }), { seed: SEED, numRuns: 200 });
});

const STATUSES: SignatureStatus[] = ['pending', 'confirmed', 'held', 'withdrawn', 'invalidated'];
const EVENTS: SignatureEvent[] = ['sign', 'confirm', 'release', 'remove', 'withdraw', 'merge'];

test('states: a signing held at signing counts only after an organiser releases it', () => {
  fc.assert(fc.property(fc.boolean(), fc.array(fc.constantFrom(...EVENTS), { maxLength: 12 }), (heldAtSigning, events) => {
    let sig = { status: 'pending' as SignatureStatus, hold: heldAtSigning ? 'no-proof' : undefined };
    let released = false;
    for (const e of events) {
      const next = nextStatus(sig, e);
      if (next === undefined) continue; // the use-case answers with an error; nothing changes
      assert.ok(STATUSES.includes(next));
      if (next === 'confirmed' && sig.status !== 'confirmed' && heldAtSigning) {
        assert.equal(e, 'release', `only a release makes a held signing count (${events.join(' ')})`);
        released = true;
      }
      if (sig.status === 'withdrawn') assert.notEqual(next, 'confirmed', 'a withdrawn signature never counts again without confirming');
      sig = { ...sig, status: next };
    }
    if (heldAtSigning && sig.status === 'confirmed') assert.ok(released);
  }), { seed: SEED, numRuns: 2000 });
});

test('states: release applies only to held, merge only to confirmed, confirm only to pending', () => {
  for (const status of STATUSES) {
    for (const hold of [undefined, 'address']) {
      const sig = { status, hold };
      assert.equal(nextStatus(sig, 'release') !== undefined, status === 'held');
      assert.equal(nextStatus(sig, 'merge') !== undefined, status === 'confirmed');
      assert.equal(nextStatus(sig, 'confirm') !== undefined, status === 'pending');
      if (status === 'pending') assert.equal(nextStatus(sig, 'confirm'), hold ? 'held' : 'confirmed');
    }
  }
});
