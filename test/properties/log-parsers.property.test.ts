/**
 * Property tests (fast-check, seeded) of the transparency log's parsers: checkpoints, signed notes, tile paths and
 * entry bundles. Whatever the input, a parser returns a value or throws LogError (never a TypeError, RangeError or
 * a hang); what is formatted parses back to the same value; a parsed tile path is the one canonical spelling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nodeLogCrypto as c } from '../../src/adapters/crypto/node-crypto.ts';
import { formatCheckpoint, parseCheckpoint } from '../../src/core/log/checkpoint.ts';
import { LogError } from '../../src/core/log/errors.ts';
import { generateKeyPair, openNote, parseNote, parseSignerKey, parseVerifierKey, signNote } from '../../src/core/log/note.ts';
import { buildEntryBundle, entriesPath, parseEntryBundle, parseTilePath, tilePath } from '../../src/core/log/tiles.ts';
import { decodeEntry } from '../../src/core/log/entries.ts';

const SEED = 15_2026;
const runs = { seed: SEED, numRuns: 500 };

/** Runs `f`; a LogError is an answer, anything else thrown is a bug. */
function onlyLogErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof LogError)) throw e;
  }
}

const line = fc.string({ unit: fc.constantFrom(...'abcxyz019./-_ é\u200c'.split('')), minLength: 1, maxLength: 30 }).filter((s) => s.trim() === s && s.length > 0);
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });

test('checkpoints: format then parse gives the same checkpoint', () => {
  fc.assert(fc.property(line, fc.nat({ max: Number.MAX_SAFE_INTEGER }), hash, fc.array(line, { maxLength: 3 }), (origin, size, root, extensions) => {
    const cp = { origin, size, root, extensions };
    const back = parseCheckpoint(formatCheckpoint(cp));
    assert.equal(back.origin, origin);
    assert.equal(back.size, size);
    assert.deepEqual([...back.root], [...root]);
    assert.deepEqual(back.extensions, extensions);
  }), runs);
});

test('checkpoints and notes: any text parses or is refused with LogError', () => {
  const text = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: fc.constantFrom('\n', 'a', '1', '=', '/', '+', '— ', ' ', 'x'), maxLength: 120 }));
  fc.assert(fc.property(text, (s) => {
    onlyLogErrors(() => parseCheckpoint(s));
    onlyLogErrors(() => parseNote(s));
  }), runs);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => onlyLogErrors(() => parseNote(b))), runs);
});

test('signed notes: a note signed by a key opens with that key, and any change to its text is refused', () => {
  const { skey, vkey } = generateKeyPair(c, 'example.org/log', new Uint8Array(32).fill(7));
  const signer = parseSignerKey(c, skey);
  const verifier = parseVerifierKey(c, vkey);
  const body = fc.array(line, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('\n') + '\n');
  fc.assert(fc.property(body, fc.nat(), (text, at) => {
    const signed = signNote(text, [signer]);
    assert.equal(openNote(signed, [verifier]).text, text);
    const i = at % text.length;
    const flipped = text.slice(0, i) + (text[i] === 'a' ? 'b' : 'a') + text.slice(i + 1);
    if (flipped === text) return;
    assert.throws(() => openNote(flipped + signed.slice(text.length), [verifier]), LogError);
  }), { seed: SEED, numRuns: 200 });
});

test('tile paths: the path of a tile parses back to it; any other string is null or canonical', () => {
  fc.assert(fc.property(fc.nat({ max: 63 }), fc.nat({ max: 2 ** 40 }), fc.integer({ min: 1, max: 256 }), (level, index, width) => {
    const p = parseTilePath(tilePath({ level, index, width }));
    assert.deepEqual(p, { kind: 'tile', level, index, width });
  }), runs);
  const pathish = fc.string({ unit: fc.constantFrom('tile/', 'entries/', '0', '1', '9', 'x', '/', '.p/', '00', '256'), maxLength: 12 });
  fc.assert(fc.property(fc.oneof(pathish, fc.string({ maxLength: 40 })), (s) => {
    const p = parseTilePath(s);
    if (!p) return;
    // Canonical: the same tile spelled by us is the input.
    const spelled = p.kind === 'entries' ? entriesPath(p.index, p.width) : tilePath({ level: p.level, index: p.index, width: p.width });
    assert.equal(spelled, s);
  }), runs);
});

test('entry bundles: build then parse gives the entries; any bytes parse or are refused with LogError', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 }), (entries) => {
    const back = parseEntryBundle(buildEntryBundle(entries));
    assert.deepEqual(back.map((e) => [...e]), entries.map((e) => [...e]));
  }), { seed: SEED, numRuns: 200 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.option(fc.integer({ min: 0, max: 300 })), (b, w) => {
    onlyLogErrors(() => parseEntryBundle(b, w ?? undefined));
    onlyLogErrors(() => decodeEntry(b));
  }), runs);
});
