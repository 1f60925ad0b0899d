/**
 * Charts on the letter page: signatures over time and by country as accessible SVG with a table of the same numbers,
 * in the page's language and digits. Screenshots in Debian chromium at 1280 and 390 px, fa and en.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { openLetter, testApp, type TestApp } from '../support/app.ts';
import { launchChromium, screenshot } from '../support/browser.ts';
import { countryRows, timeBuckets } from '../../src/adapters/http/views/charts.ts';
import { translator } from '../../src/adapters/i18n/index.ts';

const json = (payload: unknown) => ({ payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
const PEOPLE: [string, string | undefined][] = [['IR', 'fa'], ['IR', 'fa'], ['IR', 'fa'], ['DE', 'en'], ['SE', 'en'], ['GB', 'en'], [undefined, 'en']].map(([c, l]) => [c!, l]);

describe('charts', () => {
  let t: TestApp;
  let browser: Browser;
  before(async () => {
    t = await testApp();
    await openLetter(t);
    let i = 0;
    for (const [country, lang] of PEOPLE) {
      const email = `p${i}@example.org`;
      const r = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json({ name: `Person ${i++}`, email, lang, visibility: 'public', ...(country ? { country } : {}) }) });
      assert.equal(r.statusCode, 202, r.body);
      await t.flushMail();
      await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({ token: t.mailer.lastToken(email) }) });
      // Confirmations spread over the hours of a day.
      t.clock.advance(3 * 3600_000);
    }
    t.clock.advance(5000);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t.close();
  });

  test('buckets: hours for the first three days, days after; countries largest first, the rest, then "not given"', () => {
    const h = timeBuckets([{ hour: '2026-03-01T10:00:00.000Z', count: 2 }, { hour: '2026-03-01T13:00:00.000Z', count: 1 }]);
    assert.equal(h.unit, 'hour');
    assert.deepEqual(h.buckets.map((b) => b.count), [2, 0, 0, 1]);
    const d = timeBuckets([{ hour: '2026-03-01T10:00:00.000Z', count: 2 }, { hour: '2026-03-01T23:00:00.000Z', count: 1 }, { hour: '2026-03-06T01:00:00.000Z', count: 4 }]);
    assert.equal(d.unit, 'day');
    assert.deepEqual(d.buckets.map((b) => b.count), [3, 0, 0, 0, 0, 4]);
    const byCountry: Record<string, number> = { '': 2, IR: 5, DE: 1 };
    for (let i = 0; i < 12; i++) byCountry[`A${String.fromCharCode(65 + i)}`] = 1;
    const rows = countryRows(translator('en'), byCountry);
    assert.equal(rows[0]!.label, 'Iran');
    assert.equal(rows.length, 12);
    assert.deepEqual(rows.slice(-2), [{ label: 'Other countries', count: 4 }, { label: 'Not given', count: 2 }]);
  });

  test('the fa page: both charts as SVG images with their tables, Persian names and digits', async () => {
    const page = (await t.http.inject('/fa/letters/albania')).body;
    assert.match(page, /<svg viewBox="0 0 640 220" width="100%" role="img" aria-labelledby="chart-time-title chart-time-desc"/);
    assert.ok(page.includes('<title id="chart-country-title">امضاها بر پایهٔ کشور</title>'));
    assert.ok(page.includes('<td>ایران</td><td>۳</td>'), 'the table: Iran, 3 in Persian digits');
    assert.ok(page.includes('<td>نامشخص</td><td>۱</td>'));
    assert.ok(page.includes('href="/api/v1/letters/albania/signatures.csv"'));
    const en = (await t.http.inject('/en/letters/albania')).body;
    assert.ok(en.includes('<td>Iran</td><td>3</td>'));
    assert.ok(en.includes('Signatures per day') || en.includes('Signatures over time'));
  });

  test('screenshots at 1280 and 390 px, fa and en', async () => {
    for (const lang of ['fa', 'en']) {
      for (const width of [1280, 390]) {
        const ctx = await browser.newContext({ viewport: { width, height: 900 } });
        const page = await ctx.newPage();
        // The test app answers every request (it does not listen): the page, its stylesheet, its fonts.
        await page.route('**/*', async (route) => {
          const url = new URL(route.request().url());
          const r = await t.http.inject({ url: url.pathname + url.search });
          await route.fulfill({ status: r.statusCode, body: r.rawPayload, headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)])) });
        });
        await page.goto(`http://test.local/${lang}/letters/albania`);
        const charts = page.locator('section.charts');
        await charts.scrollIntoViewIfNeeded();
        assert.equal(await charts.locator('svg[role="img"]').count(), 2);
        await charts.screenshot({ path: (await screenshot(page, `13-charts-${lang}-${width}`)) });
        await ctx.close();
      }
    }
  });
});
