import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkConfirmable, decideSign, MAX_CONFIRMATION_MAILS, validateSignatureInput } from './signature.ts';
import { DomainError } from '../errors.ts';
import type { LetterWithText, Signature } from '../model.ts';

const letter: LetterWithText = {
  id: 'l', slug: 's', addressee: { name: 'A' }, defaultLang: 'fa', state: 'open', textVersion: 1, organisers: [], imported: false,
  createdAt: 't', updatedAt: 't', versions: [{ lang: 'fa', title: 'T', body: 'B' }, { lang: 'en', title: 'T', body: 'B' }],
};

function codes(input: Record<string, unknown>): string[] {
  try {
    validateSignatureInput(input, letter);
  } catch (e) {
    assert.ok(e instanceof DomainError);
    return e.fields.map((f) => `${f.field}:${f.code}`);
  }
  return [];
}

test('names are kept exactly as typed, only trimmed; the email\'s domain in lower case (IDNA), its key lower-cased', () => {
  const v = validateSignatureInput({ name: '  علی\u200Cرضا كاظمي ', email: ' Ali@Example.ORG ', country: 'ir', lang: 'en' }, letter);
  assert.equal(v.name, 'علی\u200Cرضا كاظمي');
  assert.equal(v.email, 'Ali@example.org');
  assert.equal(v.emailKey, 'ali@example.org');
  assert.equal(v.country, 'IR');
  assert.equal(v.lang, 'en');
  assert.equal(v.visibility, 'public');
  assert.equal(v.consentUpdates, false);
});

test('hostile and bad input is refused field by field', () => {
  assert.deepEqual(codes({}), ['name:REQUIRED', 'email:REQUIRED']);
  for (const ch of ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069']) {
    assert.deepEqual(codes({ name: `a${ch}b`, email: 'a@b.org' }), ['name:BIDI_CONTROL'], `U+${ch.codePointAt(0)!.toString(16)}`);
  }
  assert.deepEqual(codes({ name: 'a\u0007b', email: 'a@b.org' }), ['name:CONTROL_CHARACTER']);
  assert.deepEqual(codes({ name: '\uD800', email: 'a@b.org' }), ['name:CONTROL_CHARACTER']);
  assert.deepEqual(codes({ name: '12345', email: 'a@b.org' }), ['name:TOO_SHORT']);
  assert.deepEqual(codes({ name: 'ب'.repeat(151), email: 'a@b.org' }), ['name:TOO_LONG']);
  assert.deepEqual(codes({ name: 'ب'.repeat(150), email: 'a@b.org' }), [], 'limits count characters, not bytes');
  assert.deepEqual(codes({ name: 'A', email: 'a@b' }), ['email:INVALID_EMAIL']);
  assert.deepEqual(codes({ name: 'A', email: 'a@b.org', country: 'XX' }), ['country:INVALID_COUNTRY']);
  assert.deepEqual(codes({ name: 'A', email: 'a@b.org', visibility: 'secret' }), ['visibility:INVALID_CHOICE']);
  assert.deepEqual(codes({ name: 'A', email: 'a@b.org', lang: 'de' }), ['lang:INVALID_CHOICE']);
  assert.deepEqual(codes({ name: ['A'], email: 'a@b.org' }), ['name:INVALID_TYPE']);
});

const sig = (over: Partial<Signature>): Signature => ({
  id: 's', letterId: 'l', email: 'e', emailKey: 'e', name: 'n', visibility: 'public', lang: 'fa', consentUpdates: false, status: 'pending',
  textVersion: 1, mailsSent: 1, imported: false, createdAt: 't', updatedAt: 't', tokenExpiresAt: '2026-01-08T00:00:00Z', tokenHash: 'h', ...over,
});
const now = new Date('2026-01-02T00:00:00Z');

test('signing again: resend while pending, "already signed" once confirmed, silence past the mail budget', () => {
  assert.equal(decideSign(undefined, now).kind, 'create');
  assert.equal(decideSign(sig({}), now).kind, 'resend');
  assert.equal(decideSign(sig({ status: 'confirmed' }), now).kind, 'already-signed');
  assert.equal(decideSign(sig({ mailsSent: MAX_CONFIRMATION_MAILS }), now).kind, 'suppress');
  assert.equal(decideSign(sig({ mailsSent: MAX_CONFIRMATION_MAILS, tokenExpiresAt: '2026-01-01T00:00:00Z' }), now).kind, 'resend', 'a new link once the old one expired');
  assert.equal(decideSign(sig({ status: 'withdrawn' }), now).kind, 'resend');
});

test('confirmation checks: invalid, expired, used, already confirmed', () => {
  const code = (s: Signature | undefined) => {
    try {
      checkConfirmable(s, now);
      return 'ok';
    } catch (e) {
      return (e as DomainError).code;
    }
  };
  assert.equal(code(undefined), 'TOKEN_INVALID');
  assert.equal(code(sig({})), 'ok');
  assert.equal(code(sig({ tokenExpiresAt: '2026-01-01T00:00:00Z' })), 'TOKEN_EXPIRED');
  assert.equal(code(sig({ status: 'confirmed' })), 'SIGNATURE_ALREADY_CONFIRMED');
  assert.equal(code(sig({ status: 'withdrawn' })), 'TOKEN_USED');
});
