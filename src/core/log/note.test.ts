import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeLogCrypto as c } from '../../adapters/crypto/node-crypto.ts';
import { fromBase64, fromHex, toBase64 } from './bytes.ts';
import { LogError } from './errors.ts';
import { makeCheckpoint, openCheckpoint, parseCheckpoint, formatCheckpoint } from './checkpoint.ts';
import {
  addSignatures,
  cosignatureTimestamp,
  cosignatureV1Signer,
  formatNote,
  generateKeyPair,
  keyId,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  parseVerifierKeyText,
  signNote,
  verifierKeyFor,
} from './note.ts';

const code = (c: string) => (e: unknown) => e instanceof LogError && e.code === c;

// Research §2.3 (golang/mod sumdb/note tests).
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const ENOCH_SKEY = 'PRIVATE+KEY+EnochRoot+af0cfe78+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_LINE = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_LINE = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
const PETER_NOTE = TEXT + '\n' + PETER_LINE;

test('Go note key pairs reproduce: skey → vkey, key IDs', () => {
  assert.equal(verifierKeyFor(c, PETER_SKEY), PETER_VKEY);
  assert.equal(verifierKeyFor(c, ENOCH_SKEY), ENOCH_VKEY);
  assert.equal(generateKeyPair(c, 'EnochRoot', new Uint8Array(32)).skey, ENOCH_SKEY);
  const k = parseVerifierKeyText(c, PETER_VKEY);
  assert.equal(k.keyId, 0xc74f20a3);
  assert.equal(keyId(c, 'PeterNeumann', 1, k.publicKey), 0xc74f20a3);
});

test('signed note vectors reproduce byte for byte', () => {
  assert.equal(signNote(TEXT, [parseSignerKey(c, PETER_SKEY)]), PETER_NOTE);
  assert.equal(signNote(TEXT, [parseSignerKey(c, PETER_SKEY), parseSignerKey(c, ENOCH_SKEY)]), TEXT + '\n' + PETER_LINE + ENOCH_LINE);
  assert.equal(addSignatures(PETER_NOTE, [parseSignerKey(c, ENOCH_SKEY)]), TEXT + '\n' + PETER_LINE + ENOCH_LINE);
  assert.equal(formatNote(parseNote(PETER_NOTE)), PETER_NOTE);
});

test('openNote: unknown keys ignored, known failing key rejects, none known rejects', () => {
  const peter = parseVerifierKey(c, PETER_VKEY);
  const enoch = parseVerifierKey(c, ENOCH_VKEY);
  const both = TEXT + '\n' + PETER_LINE + ENOCH_LINE;
  const o = openNote(both, [peter]);
  assert.equal(o.text, TEXT);
  assert.deepEqual(o.verified.map((s) => s.name), ['PeterNeumann']);
  assert.deepEqual(o.unverified.map((s) => s.name), ['EnochRoot']);
  assert.equal(openNote(both, [peter, enoch]).verified.length, 2);
  assert.throws(() => openNote(PETER_NOTE, [enoch]), code('NO_TRUSTED_SIGNATURE'));
  // Go: inserting ABCD at byte 60 of Peter's line → "invalid signature for key PeterNeumann+c74f20a3".
  const lineBytes = new TextEncoder().encode(PETER_LINE);
  const tampered = new TextDecoder().decode(new Uint8Array([...lineBytes.slice(0, 60), ...new TextEncoder().encode('ABCD'), ...lineBytes.slice(60)]));
  assert.throws(() => openNote(TEXT + '\n' + tampered, [peter]), (e) => code('BAD_SIGNATURE')(e) && /PeterNeumann\+c74f20a3/.test((e as Error).message));
  // Same name, different key ID → an unknown key, ignored (then nothing verified).
  const otherId = PETER_LINE.replace('x08go', 'x08gp');
  assert.throws(() => openNote(TEXT + '\n' + otherId, [peter]), code('NO_TRUSTED_SIGNATURE'));
  // Altered text.
  assert.throws(() => openNote(TEXT.replace('If', 'Of') + '\n' + PETER_LINE, [peter]), code('BAD_SIGNATURE'));
});

test('malformed notes', () => {
  const peter = parseVerifierKey(c, PETER_VKEY);
  assert.throws(() => openNote(TEXT + '\n— Bad Name ' + PETER_LINE.split(' ')[2], [peter]), code('BAD_NOTE'));
  const many = TEXT + '\n' + PETER_LINE.repeat(101);
  assert.throws(() => openNote(many, [peter]), code('BAD_NOTE'));
  assert.equal(openNote(TEXT + '\n' + PETER_LINE.repeat(16), [peter]).verified.length, 16);
  assert.throws(() => parseNote(TEXT + '\n' + PETER_LINE.slice(0, -1)), code('BAD_NOTE'));
  assert.throws(() => parseNote(TEXT + PETER_LINE), code('BAD_NOTE'));
  assert.throws(() => parseNote('a\tb\n\n' + PETER_LINE), code('BAD_NOTE'));
  assert.throws(() => parseNote('a\r\n\n' + PETER_LINE), code('BAD_NOTE'));
  assert.throws(() => parseNote(new Uint8Array([0xff, 0x0a, 0x0a])), code('BAD_NOTE'));
  assert.throws(() => parseNote(TEXT + '\n- PeterNeumann AAAAAAA=\n'), code('BAD_NOTE'));
  // Text may contain blank lines; the split is at the last one.
  const withBlank = 'a\n\nb\n';
  const signed = signNote(withBlank, [parseSignerKey(c, PETER_SKEY)]);
  assert.equal(openNote(signed, [peter]).text, withBlank);
});

test('C2SP spec example and the production sum.golang.org checkpoint verify', () => {
  const v = parseVerifierKey(c, 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
  const note = 'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
  assert.equal(openNote(note, [v]).text, 'This is an example message.\n');
  // The vkey's base64 contains '+': split on the first two '+' only.
  const sum = parseVerifierKey(c, 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8');
  const cp =
    'go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n';
  const o = openCheckpoint(cp, [sum], 'go.sum database tree', { logKeyName: 'sum.golang.org' });
  assert.equal(o.checkpoint.size, 6476701);
  assert.equal(toBase64(o.checkpoint.root), 'mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=');
  assert.throws(() => openCheckpoint(cp, [sum], 'go.sum database tree2', { logKeyName: 'sum.golang.org' }), code('WRONG_ORIGIN'));
});

test('key-ID-only vectors recompute', () => {
  for (const vkey of [
    'log.example.org+0a72cd63+AV2yLmzeBL9B3zFJNqal0JuqxiFve0m/eqmT1+KkLVeC',
    'example.org/log+b0201859+Aawb3XxZM7k072GrHtogNwVl3F5b5SbqFs83YYw+Yjbq',
    'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2',
  ]) {
    assert.doesNotThrow(() => parseVerifierKey(c, vkey), vkey);
  }
  // A vkey whose stated ID does not match its key is refused.
  assert.throws(() => parseVerifierKey(c, 'log.example.org+0a72cd64+AV2yLmzeBL9B3zFJNqal0JuqxiFve0m/eqmT1+KkLVeC'), code('BAD_KEY'));
  assert.throws(() => parseVerifierKey(c, 'log example+0a72cd63+AV2y'), code('BAD_KEY'));
  assert.throws(() => parseSignerKey(c, PETER_SKEY.replace('c74f20a3', 'c74f20a4')), code('BAD_KEY'));
});

test('research §2.4 log key, witness key and checkpoint signatures reproduce', () => {
  const seed = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  const k = generateKeyPair(c, 'undersigned.example/test', seed);
  assert.equal(k.skey, 'PRIVATE+KEY+undersigned.example/test+88a3a7db+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f');
  assert.equal(k.vkey, 'undersigned.example/test+88a3a7db+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4');
  const w = cosignatureV1Signer(c, 'witness.example/w1', fromHex('202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f'), 1700000000);
  assert.equal(w.vkey, 'witness.example/w1+20324abe+BCmsuuFBvMrwsi4alNNNC8c2HlJtC/4SyJeUvJMilm3X');
  const root = fromBase64('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=');
  const cp = addSignatures(makeCheckpoint('undersigned.example/test', 8, root, [parseSignerKey(c, k.skey)]), [w]);
  assert.equal(
    cp,
    'undersigned.example/test\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n' +
      '— undersigned.example/test iKOn27QZvNeGmYcbn7GJjRHCyx2ymz6kRKEOPGVA5JfITVrxGbrdYBfaSH4Fb6OSEtMNUzHPaSSu4xEIo3WCDR+hNgQ=\n' +
      '— witness.example/w1 IDJKvgAAAABlU/EAUfB0ilUNwgHvnsMk/ONzdDMMXHxYo/ou3tWPLuodn5TXQGtOoy2kqrWGEjbvZ3k64vnlOQ/0zzEy4Xgp2ZJyBg==\n',
  );
  const o = openCheckpoint(cp, [parseVerifierKey(c, k.vkey), parseVerifierKey(c, w.vkey)], 'undersigned.example/test');
  assert.equal(o.note.verified.length, 2);
  assert.equal(cosignatureTimestamp(o.note.verified[1]!), 1700000000n);
  // A witness signature alone is not the log's signature.
  assert.throws(() => openCheckpoint(cp, [parseVerifierKey(c, w.vkey)], 'undersigned.example/test'), code('NO_TRUSTED_SIGNATURE'));
});

test('checkpoint text: strict parse and round trip', () => {
  const root = new Uint8Array(32).fill(7);
  const text = formatCheckpoint({ origin: 'a.example/log', size: 0, root, extensions: ['ext one'] });
  assert.equal(text, `a.example/log\n0\n${toBase64(root)}\next one\n`);
  assert.deepEqual(parseCheckpoint(text), { origin: 'a.example/log', size: 0, root, extensions: ['ext one'] });
  for (const bad of [
    `a\n01\n${toBase64(root)}\n`,
    `a\n-1\n${toBase64(root)}\n`,
    `a\n1\n${toBase64(root.subarray(1))}\n`,
    `a\n1\n${toBase64(root)}`,
    `\n1\n${toBase64(root)}\n`,
    `a\n1\n`,
    `a\n99999999999999999999\n${toBase64(root)}\n`,
  ]) {
    assert.throws(() => parseCheckpoint(bad), code('BAD_CHECKPOINT'), JSON.stringify(bad));
  }
});
