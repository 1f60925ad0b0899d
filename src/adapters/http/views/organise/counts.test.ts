/** Counts in the desk's sentences are numbers to the message formats, so plurals pick their form past 999 too. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translator, UI_LANGS } from '../../../i18n/index.ts';
import { removalDonePage, removalPreviewPage } from './signatures.ts';
import { stateConfirmPage } from './desk-pages.ts';

test('desk counts of thousands read as numbers in every interface language (never NaN, the plural form right)', () => {
  for (const lang of UI_LANGS) {
    const t = translator(lang);
    const pages = [
      stateConfirmPage(t, 'http://x', { me: 'o@example.org', slug: 's', title: 'T', from: 'open', to: 'closed', csrf: 'c', count: 1234 }),
      removalPreviewPage(t, 'http://x', { me: 'o@example.org', slug: 's', title: 'T', csrf: 'c', filter: {}, count: 1234, sample: [] }),
      removalDonePage(t, 'http://x', { me: 'o@example.org', slug: 's', title: 'T', count: 1234, skipped: 1001, reason: 'fraud' }),
    ];
    for (const page of pages) {
      assert.doesNotMatch(page, /NaN|не число/, lang);
      assert.ok(page.includes(t.number(1234)), `${lang}: the count in the language's digits and grouping`);
    }
  }
  const en = translator('en');
  const done = removalDonePage(en, 'http://x', { me: 'o@example.org', slug: 's', title: 'T', count: 1234, skipped: 1001, reason: 'fraud' });
  assert.match(done, /1,234 signatures were removed/);
  assert.match(done, /1,001 were withdrawn or removed meanwhile/);
  const ru = translator('ru');
  assert.match(removalDonePage(ru, 'http://x', { me: 'o@example.org', slug: 's', title: 'T', count: 1234, skipped: 0, reason: 'fraud' }), /1\s234 подписи/, 'Russian few-form for …4');
});
