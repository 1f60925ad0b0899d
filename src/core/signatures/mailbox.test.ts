/** Email addresses as mailboxes: what is refused, what is stored, which variants are one mailbox. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEmail, holdsAddress, mailboxKey } from './mailbox.ts';
import { validateSignatureInput } from './signature.ts';

const letter = { defaultLang: 'en', versions: [{ lang: 'en' }] };

test('control, invisible and bidi characters anywhere in an address are refused with their own field code', () => {
  const cases: [string, string][] = [
    ['a\u0000b@example.org', 'CONTROL_CHARACTER'],
    ['ab@exa\u001bmple.org', 'CONTROL_CHARACTER'],
    ['a\u0085b@example.org', 'CONTROL_CHARACTER'],
    ['a\u200Bb@example.org', 'INVISIBLE_CHARACTER'],
    ['ab@example\u200D.org', 'INVISIBLE_CHARACTER'],
    ['\uFEFFab@example.org', 'INVISIBLE_CHARACTER'],
    ['a\u00ADb@example.org', 'INVISIBLE_CHARACTER'],
    ['a\u2060b@example.org', 'INVISIBLE_CHARACTER'],
    ['ab\u{E0041}@example.org', 'INVISIBLE_CHARACTER'],
    ['a\u202Eb@example.org', 'BIDI_CONTROL'],
    ['a\u200Fb@example.org', 'BIDI_CONTROL'],
    ['ab@example.org\u2066', 'BIDI_CONTROL'],
    ['a\u061Cb@example.org', 'BIDI_CONTROL'],
    ['a@b@example.org', 'INVALID_EMAIL'],
    ['a..b@example.org', 'INVALID_EMAIL'],
    ['ab@-example.org', 'INVALID_EMAIL'],
    ['ab@example', 'INVALID_EMAIL'],
    ['ab@exa mple.org', 'INVALID_EMAIL'],
  ];
  for (const [raw, code] of cases) {
    assert.deepEqual(checkEmail(raw), { ok: false, code }, JSON.stringify(raw));
    assert.throws(() => validateSignatureInput({ name: 'Sam', email: raw }, letter), (e: { fields: { field: string; code: string }[] }) => e.fields.some((f) => f.field === 'email' && f.code === code), JSON.stringify(raw));
  }
});

test('domains are stored in IDNA form, lower case; the local part as typed', () => {
  assert.deepEqual(checkEmail(' Ali@Example.ORG '), { ok: true, email: 'Ali@example.org' });
  assert.deepEqual(checkEmail('maryam@ایران.ir'), { ok: true, email: 'maryam@xn--mgba3a4f16a.ir' });
  assert.deepEqual(checkEmail('zoë@bücher.example'), { ok: true, email: 'zoë@xn--bcher-kva.example' });
  assert.deepEqual(checkEmail('x@EXAMPLE.org.'), { ok: true, email: 'x@example.org' });
});

test('one mailbox, one key: letter case, +tags, and Gmail’s documented dots', () => {
  const key = (raw: string) => {
    const c = checkEmail(raw);
    assert.ok(c.ok, raw);
    return mailboxKey(c.email);
  };
  const one = ['sara.ahmadi@gmail.com', 'Sara.Ahmadi@Gmail.com', 'saraahmadi@gmail.com', 's.a.r.a.ahmadi+letters@gmail.com', 'SARAAHMADI+x+y@googlemail.com'];
  assert.deepEqual(new Set(one.map(key)), new Set(['saraahmadi@gmail.com']));
  // Elsewhere dots are part of the mailbox; +tags are not.
  assert.notEqual(key('sara.ahmadi@example.org'), key('saraahmadi@example.org'));
  assert.equal(key('Sara+news@Example.org'), key('sara@example.org'));
  assert.equal(key('sara@ایران.ir'), key('SARA@xn--mgba3a4f16a.IR'));
  assert.equal(validateSignatureInput({ name: 'Sara', email: 'Sara.Ahmadi+x@GMAIL.com' }, letter).emailKey, 'saraahmadi@gmail.com');
});

test('names and titles holding a web or email address are refused (HOLDS_ADDRESS); ordinary names are not', () => {
  for (const name of ['Hassan. Your signature is void: re-sign at https://evil.example/login', 'see www.evil.example', 'mail me: x@evil.example', 'Visit evil.com now', 'ftp://x', 'news.ru']) {
    assert.equal(holdsAddress(name), true, name);
    assert.throws(() => validateSignatureInput({ name, email: 'a@example.org' }, letter), (e: { fields: { field: string; code: string }[] }) => e.fields.some((f) => f.field === 'name' && f.code === 'HOLDS_ADDRESS'), name);
  }
  assert.throws(() => validateSignatureInput({ name: 'Sam', title: 'CEO of https://x.example', email: 'a@example.org' }, letter), /./);
  for (const name of ['J.R.R. Tolkien', 'Dr. Ali Rezaei', "Maria-José O'Neil", 'علی‌رضا کاظمی', 'St. John Smith', 'A. B. Co.', 'Smith & Co. Ltd']) {
    assert.equal(holdsAddress(name), false, name);
  }
});
