import { test } from 'node:test';
import assert from 'node:assert/strict';
import { directionOf, directionOfText, lengthOf } from './text.ts';

test('direction of language tags and of text', () => {
  assert.equal(directionOf('fa'), 'rtl');
  assert.equal(directionOf('fa-IR'), 'rtl');
  assert.equal(directionOf('ar'), 'rtl');
  assert.equal(directionOf('en'), 'ltr');
  assert.equal(directionOf('az-Arab'), 'rtl');
  assert.equal(directionOf('ku-Latn'), 'ltr');
  assert.equal(directionOfText('  ۱۲ مریم'), 'rtl');
  assert.equal(directionOfText('12 Zoe'), 'ltr');
  assert.equal(directionOfText('123'), 'auto');
});

test('length counts code points', () => {
  assert.equal(lengthOf('مریم'), 4);
  assert.equal(lengthOf('😀a'), 2);
});
