import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalLang, checkPublishable, textVersionForEdit, transition, validateLetterInput } from './letter.ts';
import { DomainError } from '../errors.ts';
import type { LetterWithText } from '../model.ts';

const good = {
  slug: 'open-letter',
  addressee: { name: 'President' },
  defaultLang: 'fa',
  versions: [
    { lang: 'fa', title: 'نامه', body: 'متن' },
    { lang: 'EN', title: 'Letter', body: 'Text' },
  ],
};

function fields(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DomainError);
    return e.fields.map((f) => `${f.field}:${f.code}`);
  }
  assert.fail('expected a validation error');
}

test('a valid letter is accepted; language tags are canonical', () => {
  const v = validateLetterInput(good);
  assert.deepEqual(v.versions.map((x) => x.lang), ['fa', 'en']);
  assert.equal(canonicalLang('fa_ir'), 'fa-IR');
  assert.equal(canonicalLang('AZ-latn'), 'az-Latn');
});

test('every bad field is named', () => {
  assert.deepEqual(fields(() => validateLetterInput({})), ['slug:REQUIRED', 'addressee.name:REQUIRED', 'versions:REQUIRED', 'defaultLang:REQUIRED']);
  assert.deepEqual(
    fields(() => validateLetterInput({ ...good, slug: 'Not A Slug', goal: -3, defaultLang: 'de', versions: [{ lang: 'fa', title: '', body: 'x' }, { lang: 'fa', title: 't', body: 'b' }, { lang: '??', title: 't', body: 'b' }] })),
    ['slug:INVALID_SLUG', 'goal:INVALID_NUMBER', 'versions.0.title:REQUIRED', 'versions.1.lang:DUPLICATE', 'versions.2.lang:INVALID_LANGUAGE', 'defaultLang:INVALID_CHOICE'],
  );
  assert.deepEqual(fields(() => validateLetterInput({ ...good, addressee: { name: 'A\u202EB' } })), ['addressee.name:BIDI_CONTROL']);
  assert.deepEqual(fields(() => validateLetterInput({ ...good, organisers: ['x'] })), ['organisers.0:INVALID_EMAIL']);
});

const letter = (over: Partial<LetterWithText> = {}): LetterWithText => ({
  id: 'l', slug: 's', addressee: { name: 'A' }, defaultLang: 'fa', state: 'draft', textVersion: 1, organisers: [], imported: false,
  createdAt: 't0', updatedAt: 't0', versions: [{ lang: 'fa', title: 'T', body: 'B' }], ...over,
});

test('state machine: draft → open → closed → open; nothing else', () => {
  const open = transition(letter(), 'open', 't1');
  assert.equal(open.state, 'open');
  assert.equal(open.openedAt, 't1');
  const closed = transition({ ...open, versions: [] } as LetterWithText, 'closed', 't2');
  assert.equal(closed.closedAt, 't2');
  assert.throws(() => transition(letter(), 'closed', 't'), (e: DomainError) => e.code === 'LETTER_ILLEGAL_TRANSITION');
  assert.throws(() => transition(letter({ state: 'open' }), 'open', 't'), (e: DomainError) => e.code === 'LETTER_ILLEGAL_TRANSITION');
});

test('a letter without its default-language text cannot be published', () => {
  assert.throws(() => checkPublishable(letter({ defaultLang: 'en' })), (e: DomainError) => e.code === 'LETTER_INCOMPLETE');
  assert.throws(() => transition(letter({ versions: [] }), 'open', 't'), (e: DomainError) => e.code === 'LETTER_INCOMPLETE');
});

test('the text freezes at the first confirmed signature', () => {
  assert.equal(textVersionForEdit(letter(), false), 1);
  assert.equal(textVersionForEdit(letter({ textVersion: 3 }), true), 4);
});
