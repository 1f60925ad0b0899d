import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCollation, sortNames } from './sort.ts';

test('Persian collation is available in this Node', () => {
  const c = checkCollation();
  assert.equal(c.ok, true, c.ok ? '' : c.message);
});

test('Persian order: و before ه, پ after ب, گ after ک, آ first', () => {
  assert.deepEqual(sortNames(['ه', 'و', 'ی'], 'fa'), ['و', 'ه', 'ی']);
  assert.deepEqual(sortNames(['پرویز', 'بتول', 'تقی'], 'fa'), ['بتول', 'پرویز', 'تقی']);
  assert.deepEqual(sortNames(['گلی', 'کریم', 'لیلا'], 'fa'), ['کریم', 'گلی', 'لیلا']);
  assert.deepEqual(sortNames(['احمد', 'آرش'], 'fa'), ['آرش', 'احمد']);
  // code-point order gets this wrong (پ after ه): the reason we collate
  assert.notDeepEqual(['هادی', 'پرویز'].sort(), sortNames(['هادی', 'پرویز'], 'fa'));
});

test('Latin names sort per locale, numbers numerically', () => {
  assert.deepEqual(sortNames(['Zahra', 'ali', 'Émile', 'Bahar'], 'en'), ['ali', 'Bahar', 'Émile', 'Zahra']);
  assert.deepEqual(sortNames(['Name 10', 'Name 9'], 'en'), ['Name 9', 'Name 10']);
});

test('tie-break is deterministic: names that collate equal keep one order whatever the input order', () => {
  // ي/ی and ك/ک collate equal in fa; ZWNJ is ignored by the collator
  const a = ['علی کریمی', 'علي كريمي', 'علی‌رضا', 'علیرضا'];
  const b = [...a].reverse();
  const c = [a[2]!, a[0]!, a[3]!, a[1]!];
  const sa = sortNames(a, 'fa');
  assert.deepEqual(sortNames(b, 'fa'), sa);
  assert.deepEqual(sortNames(c, 'fa'), sa);
});

test('sorting never alters or drops a name and does not mutate its input', () => {
  const input = ['علي‌رضا', 'Ali', 'مُحَمَّد'];
  const copy = [...input];
  const out = sortNames(input, 'fa');
  assert.deepEqual(input, copy);
  assert.deepEqual([...out].sort(), [...copy].sort());
});
