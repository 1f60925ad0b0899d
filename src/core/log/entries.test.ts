import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeLogCrypto as c } from '../../adapters/crypto/node-crypto.ts';
import { fromBase64, toBase64, toHex, utf8 } from './bytes.ts';
import { LogError } from './errors.ts';
import { leafHash, rootFromLeafHashes } from './merkle.ts';
import {
  commitContact,
  commitName,
  countLetters,
  LetterCounter,
  decodeEntry,
  encodeEntry,
  letterTextHash,
  normaliseContact,
  verifyCommitment,
  type IndexedEntry,
  type LogEntry,
} from './entries.ts';

const code = (x: string) => (e: unknown) => e instanceof LogError && e.code === x;
const O_NAME = new Uint8Array(32).fill(0x11);
const O_CONTACT = new Uint8Array(32).fill(0x22);

// Research §4 worked example.
const SIG_BYTES =
  'undersigned/v1 sig\nletter pony-2026\ntext z68kH3/Y5yqADKraWKoVE2qNtmn7LWAqs/CDbgnykcA=\ntime 1767225600\nname P9hDXGEdcAKOyaSsexWQAdvYkeJdu35aOtqnZDgaL3I=\ncontact f1mKDbCLlVWpYCTJSXxNjUsuN7M18TlJEXYS64jQXHQ=\n';
const WITHDRAW_BYTES =
  'undersigned/v1 withdraw\nletter pony-2026\ntime 1767312000\nref 0\nrefhash mOqW1ODPLWZCjWXR4GfKtkj+tPNrl9koIm2cP75ZbJY=\nreason signer\n';

test('research §4 worked example reproduces byte for byte', () => {
  const text = letterTextHash(c, 'We, the undersigned, ask for a pony.\n');
  const sig: LogEntry = {
    type: 'sig',
    letter: 'pony-2026',
    text,
    time: 1767225600,
    name: commitName(c, O_NAME, 'Ada Lovelace'),
    contact: commitContact(c, O_CONTACT, 'ada@example.org'),
  };
  const sigBytes = encodeEntry(sig);
  assert.equal(new TextDecoder().decode(sigBytes), SIG_BYTES);
  assert.equal(sigBytes.length, 205);
  const sigLeaf = leafHash(c, sigBytes);
  assert.equal(toHex(sigLeaf), '98ea96d4e0cf2d66428d65d1e067cab648feb4f36b97d928226d9c3fbe596c96');
  const w = encodeEntry({ type: 'withdraw', letter: 'pony-2026', time: 1767312000, ref: 0, refHash: sigLeaf, reason: 'signer' });
  assert.equal(new TextDecoder().decode(w), WITHDRAW_BYTES);
  const wLeaf = leafHash(c, w);
  assert.equal(toHex(wLeaf), '9e6000fed917407e9db0763b6bd42de4e81f3a25dbfa2eb06fc2f858bc264dd6');
  assert.equal(toHex(rootFromLeafHashes(c, [sigLeaf, wLeaf])), '92bf358c32ed0687e14f93776c22adf3159014c06c9d772553cb1a307ca184a3');
  assert.deepEqual(decodeEntry(sigBytes), sig);
});

test('commitments: recompute and verify; the wrong opening or value fails; no email in the entry', () => {
  const n = commitName(c, O_NAME, 'Ada Lovelace');
  assert.ok(verifyCommitment(c, 'name', O_NAME, 'Ada Lovelace', n));
  assert.ok(!verifyCommitment(c, 'name', O_CONTACT, 'Ada Lovelace', n));
  assert.ok(!verifyCommitment(c, 'name', O_NAME, 'Ada Lovelace ', n));
  assert.ok(!verifyCommitment(c, 'contact', O_NAME, 'Ada Lovelace', n), 'labels separate name and contact');
  assert.ok(!verifyCommitment(c, 'name', new Uint8Array(16), 'Ada Lovelace', n));
  // NFC: precomposed and decomposed spellings commit identically.
  assert.deepEqual(commitName(c, O_NAME, 'Zo\u00eb'), commitName(c, O_NAME, 'Zoe\u0308'));
  // Persian and other scripts are committed as typed.
  const fa = commitName(c, O_NAME, 'مریم میرزاخانی');
  assert.ok(verifyCommitment(c, 'name', O_NAME, 'مریم میرزاخانی', fa));
  assert.equal(normaliseContact('  Ada@Example.ORG '), 'ada@example.org');
  const ct = commitContact(c, O_CONTACT, 'ADA@example.org');
  assert.ok(verifyCommitment(c, 'contact', O_CONTACT, ' ada@EXAMPLE.org', ct));
  assert.throws(() => commitName(c, new Uint8Array(31), 'x'), code('BAD_ENTRY'));
  assert.ok(!SIG_BYTES.includes('@') && !SIG_BYTES.includes('Ada'));
});

const H = (b: number) => new Uint8Array(32).fill(b);
const samples: LogEntry[] = [
  { type: 'letter', letter: 'a', time: 0, text: H(1) },
  { type: 'sig', letter: 'a-1', text: H(1), time: 5, name: H(2), contact: H(3) },
  { type: 'withdraw', letter: 'x', time: 9, ref: 12, refHash: H(4), reason: 'signer' },
  { type: 'remove', letter: 'x', time: 9, ref: 0, refHash: H(4), reason: 'fraud' },
  { type: 'remove', letter: 'x', time: 9, ref: 0, refHash: H(4), reason: 'duplicate' },
  { type: 'remove', letter: 'x', time: 9, ref: 0, refHash: H(4), reason: 'legal' },
  { type: 'remove', letter: 'x', time: 9, ref: 0, refHash: H(4), reason: 'signer' },
];

test('entries round trip; only the canonical encoding decodes', () => {
  for (const e of samples) assert.deepEqual(decodeEntry(encodeEntry(e)), e);
  const good = new TextDecoder().decode(encodeEntry(samples[2]!));
  for (const bad of [
    good.replace('time 9', 'time 09'),
    good.replace('ref 12', 'ref +12'),
    good.replace('reason signer', 'reason fraud'),
    good.slice(0, -1),
    good + '\n',
    good + 'extra x\n',
    good.replace('\n', '\r\n'),
    good.replace('letter x', 'letter X'),
    good.replace('letter x', 'letter ' + 'x'.repeat(65)),
    good.replace('undersigned/v1', 'undersigned/v2'),
    good.replace('withdraw', 'sig'),
    SIG_BYTES.replace('z68kH3/Y5yqADKraWKoVE2qNtmn7LWAqs/CDbgnykcA=', 'z68kH3/Y5yqADKraWKoVE2qNtmn7LWAqs/CDbgnykcB='),
    SIG_BYTES.replace('time 1767225600\nname', 'name'),
    SIG_BYTES.replace('text', 'time').replace('time 1767', 'text 1767'),
    'undersigned/v1 constructor\n',
  ]) {
    assert.throws(() => decodeEntry(utf8(bad)), code('BAD_ENTRY'), JSON.stringify(bad));
  }
  assert.throws(() => decodeEntry(new Uint8Array([0xc3, 0xa9, 0x0a])), code('BAD_ENTRY'));
  assert.throws(() => encodeEntry({ ...samples[3]!, reason: 'whim' } as unknown as LogEntry), code('BAD_ENTRY'));
  assert.throws(() => encodeEntry({ ...(samples[2] as object), reason: 'fraud' } as unknown as LogEntry), code('BAD_ENTRY'));
});

function log(entries: LogEntry[]): IndexedEntry[] {
  return entries.map((e, index) => {
    const bytes = encodeEntry(e);
    return { index, bytes, leafHash: leafHash(c, bytes) };
  });
}

test('countLetters: signatures minus withdrawals and removals, per letter and reason', () => {
  const t1 = H(1);
  const t2 = H(2);
  const entries: LogEntry[] = [
    { type: 'letter', letter: 'pony', time: 1, text: t1 }, // 0
    { type: 'letter', letter: 'pony', time: 1, text: t2 }, // 1 (second language)
    { type: 'letter', letter: 'cats', time: 1, text: H(9) }, // 2
  ];
  for (let i = 0; i < 6; i++) entries.push({ type: 'sig', letter: 'pony', text: i % 2 ? t1 : t2, time: 2, name: H(10 + i), contact: H(20 + i) }); // 3..8
  entries.push({ type: 'sig', letter: 'cats', text: H(9), time: 2, name: H(40), contact: H(41) }); // 9
  const l = log(entries);
  const ref = (i: number) => l[i]!.leafHash;
  const more: LogEntry[] = [
    { type: 'withdraw', letter: 'pony', time: 3, ref: 3, refHash: ref(3), reason: 'signer' }, // 10
    { type: 'remove', letter: 'pony', time: 3, ref: 4, refHash: ref(4), reason: 'duplicate' }, // 11
    { type: 'remove', letter: 'pony', time: 3, ref: 5, refHash: ref(5), reason: 'fraud' }, // 12
    { type: 'remove', letter: 'cats', time: 3, ref: 9, refHash: ref(9), reason: 'legal' }, // 13
  ];
  const all = log([...entries, ...more]);
  const r = countLetters(all);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.letters, [
    { letter: 'cats', versions: 1, signatures: 1, withdrawn: 0, removed: { signer: 0, duplicate: 0, fraud: 0, legal: 1 }, count: 0, sources: { paper: 0, imported: 0 }, duplicates: { signatures: 0, cancellations: 0 } },
    { letter: 'pony', versions: 2, signatures: 6, withdrawn: 1, removed: { signer: 0, duplicate: 1, fraud: 1, legal: 0 }, count: 3, sources: { paper: 0, imported: 0 }, duplicates: { signatures: 0, cancellations: 0 } },
  ]);
});

test('countLetters flags and ignores bad cancellations and unpublished letters', () => {
  const base: LogEntry[] = [
    { type: 'letter', letter: 'pony', time: 1, text: H(1) }, // 0
    { type: 'sig', letter: 'pony', text: H(1), time: 2, name: H(2), contact: H(3) }, // 1
    { type: 'letter', letter: 'cats', time: 1, text: H(5) }, // 2
    { type: 'sig', letter: 'cats', text: H(5), time: 2, name: H(2), contact: H(3) }, // 3
  ];
  const l = log(base);
  const refHash = l[1]!.leafHash;
  const bad: LogEntry[] = [
    { type: 'withdraw', letter: 'pony', time: 3, ref: 0, refHash: l[0]!.leafHash, reason: 'signer' }, // 4 BAD_REF (not a sig)
    { type: 'withdraw', letter: 'pony', time: 3, ref: 99, refHash, reason: 'signer' }, // 5 BAD_REF (future)
    { type: 'withdraw', letter: 'cats', time: 3, ref: 1, refHash, reason: 'signer' }, // 6 REF_LETTER
    { type: 'withdraw', letter: 'pony', time: 3, ref: 1, refHash: H(7), reason: 'signer' }, // 7 REF_HASH
    { type: 'withdraw', letter: 'pony', time: 3, ref: 1, refHash, reason: 'signer' }, // 8 ok
    { type: 'remove', letter: 'pony', time: 3, ref: 1, refHash, reason: 'fraud' }, // 9 DUPLICATE_CANCEL (a warning: counted once)
    { type: 'sig', letter: 'dogs', text: H(1), time: 2, name: H(2), contact: H(3) }, // 10 UNKNOWN_LETTER
    { type: 'sig', letter: 'pony', text: H(8), time: 2, name: H(2), contact: H(3) }, // 11 UNKNOWN_TEXT
  ];
  const all = log([...base, ...bad]);
  all.push({ index: 12, bytes: utf8('garbage\n'), leafHash: leafHash(c, utf8('garbage\n')) });
  const r = countLetters(all);
  assert.deepEqual(
    r.problems.map((p) => `${p.index}:${p.code}`),
    ['4:BAD_REF', '5:BAD_REF', '6:REF_LETTER', '7:REF_HASH', '10:UNKNOWN_LETTER', '11:UNKNOWN_TEXT', '12:BAD_ENTRY'],
  );
  assert.deepEqual(r.warnings.map((p) => `${p.index}:${p.code}`), ['9:DUPLICATE_CANCEL']);
  const pony = r.letters.find((x) => x.letter === 'pony')!;
  assert.equal(pony.signatures, 2);
  assert.equal(pony.withdrawn, 1);
  assert.deepEqual(pony.removed, { signer: 0, duplicate: 0, fraud: 0, legal: 0 });
  assert.deepEqual(pony.duplicates, { signatures: 0, cancellations: 1 });
  assert.equal(pony.count, 1);
  assert.equal(r.letters.find((x) => x.letter === 'cats')!.count, 1);
  assert.deepEqual(countLetters([all[1]!, all[0]!]).problems.map((p) => p.code), ['UNKNOWN_LETTER', 'OUT_OF_ORDER']);
});

test('base64 helpers are strict', () => {
  assert.equal(toBase64(fromBase64('z68kH3/Y5yqADKraWKoVE2qNtmn7LWAqs/CDbgnykcA=')), 'z68kH3/Y5yqADKraWKoVE2qNtmn7LWAqs/CDbgnykcA=');
  for (const bad of ['abc', 'ab=c', 'a===', 'YQ', 'YR==', 'YWI=\n', 'YW I=']) assert.throws(() => fromBase64(bad), code('BAD_BASE64'), bad);
  for (let n = 0; n < 40; n++) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
    assert.equal(toBase64(b), Buffer.from(b).toString('base64'));
    assert.deepEqual(fromBase64(toBase64(b)), b);
  }
});

test('duplicates: a signature logged twice and cancelled twice counts once, by the rule of docs/transparency-log.md §7.8', () => {
  const entries: LogEntry[] = [
    { type: 'letter', letter: 'pony', time: 1, text: H(1) }, // 0
    { type: 'sig', letter: 'pony', text: H(1), time: 2, name: H(2), contact: H(3) }, // 1 the signature
    { type: 'sig', letter: 'pony', text: H(1), time: 2, name: H(4), contact: H(5) }, // 2 written again (a race)
    { type: 'sig', letter: 'pony', text: H(1), time: 2, name: H(6), contact: H(7) }, // 3 and again
    { type: 'sig', letter: 'pony', text: H(1), time: 2, name: H(8), contact: H(9) }, // 4 someone else
  ];
  const l = log(entries);
  const more: LogEntry[] = [
    { type: 'withdraw', letter: 'pony', time: 3, ref: 3, refHash: l[3]!.leafHash, reason: 'signer' }, // 5 withdraws the group
    { type: 'withdraw', letter: 'pony', time: 3, ref: 3, refHash: l[3]!.leafHash, reason: 'signer' }, // 6 again
    { type: 'remove', letter: 'pony', time: 3, ref: 1, refHash: l[1]!.leafHash, reason: 'fraud' }, // 7 another member: the group is gone already
    { type: 'sig', letter: 'pony', text: H(1), time: 4, name: H(10), contact: H(11) }, // 8 a new signature
  ];
  const all = log([...entries, ...more]);
  const counter = new LetterCounter();
  for (const e of all) counter.add(e);
  counter.markDuplicate(2, 1);
  counter.markDuplicate(3, 2);
  counter.markDuplicate(8, 1); // refused: entry 1's signature was cancelled before entry 8
  counter.markDuplicate(4, 9); // refused: not an earlier signature
  const r = counter.result();
  assert.deepEqual(r.problems.map((p) => `${p.index}:${p.code}`), ['8:BAD_DUPLICATE', '4:BAD_DUPLICATE']);
  assert.deepEqual(r.warnings.map((p) => `${p.index}:${p.code}`), ['2:DUPLICATE_SIG', '3:DUPLICATE_SIG', '6:DUPLICATE_CANCEL', '7:DUPLICATE_CANCEL']);
  const pony = r.letters.find((x) => x.letter === 'pony')!;
  assert.deepEqual(
    { signatures: pony.signatures, withdrawn: pony.withdrawn, removed: pony.removed, duplicates: pony.duplicates, count: pony.count },
    { signatures: 3, withdrawn: 1, removed: { signer: 0, duplicate: 0, fraud: 0, legal: 0 }, duplicates: { signatures: 2, cancellations: 2 }, count: 2 },
  );
});

test('sig entries name their source when not confirmed by email; email entries keep their bytes; the tally splits the count', () => {
  const base = decodeEntry(utf8(SIG_BYTES)) as LogEntry & { type: 'sig' };
  assert.equal(base.source, undefined);
  const paper = encodeEntry({ ...base, source: 'paper' });
  assert.equal(new TextDecoder().decode(paper), SIG_BYTES + 'source paper\n');
  assert.deepEqual(decodeEntry(paper), { ...base, source: 'paper' });
  assert.equal((decodeEntry(encodeEntry({ ...base, source: 'imported' })) as typeof base).source, 'imported');
  for (const bad of [SIG_BYTES + 'source email\n', SIG_BYTES + 'source Paper\n', SIG_BYTES + 'source paper\nsource paper\n', SIG_BYTES + 'sourc paper\n', SIG_BYTES + 'source  paper\n']) {
    assert.throws(() => decodeEntry(utf8(bad)), code('BAD_ENTRY'), JSON.stringify(bad));
  }
  assert.throws(() => encodeEntry({ ...base, source: 'email' } as unknown as LogEntry), code('BAD_ENTRY'));
  const t = H(1);
  const entries: LogEntry[] = [{ type: 'letter', letter: 'pony', time: 1, text: t }];
  entries.push({ type: 'sig', letter: 'pony', text: t, time: 2, name: H(10), contact: H(20) }); // 1 email
  entries.push({ type: 'sig', letter: 'pony', text: t, time: 2, name: H(11), contact: H(21), source: 'paper' }); // 2
  entries.push({ type: 'sig', letter: 'pony', text: t, time: 2, name: H(12), contact: H(22), source: 'paper' }); // 3
  entries.push({ type: 'sig', letter: 'pony', text: t, time: 2, name: H(13), contact: H(23), source: 'imported' }); // 4
  const l = log(entries);
  const all = log([...entries, { type: 'remove', letter: 'pony', time: 3, ref: 3, refHash: l[3]!.leafHash, reason: 'fraud' }]);
  const r = countLetters(all);
  assert.deepEqual(r.problems, []);
  assert.equal(r.letters[0]!.count, 3);
  assert.deepEqual(r.letters[0]!.sources, { paper: 1, imported: 1 });
});
