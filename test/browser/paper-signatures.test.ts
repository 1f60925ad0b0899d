/**
 * Paper signatures and notable signatories in Debian chromium: an owner uploads a paper sheet on the desk (file input,
 * preview, confirm), checks a title and turns on the notable signatories; the letter page shows the split count
 * ("N signatures: … confirmed by email, … from paper") and the notable section, in English and Persian (Persian
 * digits), 1280 and 390 px wide (artifacts/screenshots/12-*-paper-*).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startServer, waitForMail, linkIn, screenshot, signAndConfirmViaApi, SCREENSHOTS, type LiveServer } from '../support/browser.ts';
import { faEnLetter } from '../support/app.ts';
import { createLetter } from '../../src/use-cases/create-letter.ts';

let server: LiveServer;
let browser: Browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
  await createLetter(server.app.deps, faEnLetter('albania', { organisers: ['org@example.org'] }), { publish: true });
  await signAndConfirmViaApi(server, 'albania', { name: 'Ilir Hoxha', email: 'ilir@example.org', lang: 'en', title: 'Professor, University of Tirana', country: 'AL' });
  await signAndConfirmViaApi(server, 'albania', { name: 'زهرا معینی', email: 'zahra@example.org', lang: 'fa', nameAlt: 'Zahra Moeini', title: 'سفیر خودخوانده', country: 'IR' });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const SHEET = '\uFEFFname,nameAlt,title,country,lang\r\n' + [
  'مریم نصر\u200Cاللهی,Maryam Nasrollahi,"استاد، دانشگاه تهران",IR,fa',
  'علي كريمي,,,IQ,fa',
  'Arta Krasniqi,,Journalist,XK,en',
  'Besnik Leka,,,AL,en',
].join('\r\n') + '\r\n';

async function signIn(page: Page, lang: string, nth: number) {
  await page.goto(`${server.baseUrl}/${lang}/organise`);
  await page.fill('#email', 'org@example.org');
  await page.click('button[type=submit]');
  const mail = await waitForMail(server.outboxDir, 'org@example.org', 'login', nth);
  await page.goto(linkIn(mail));
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.baseUrl}/${lang}/organise`);
}

test('an owner adds a paper sheet; the letter page shows the split count and the notable signatories', { timeout: 180_000 }, async () => {
  const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await signIn(page, 'en', 1);
  await page.goto(`${server.baseUrl}/en/organise/letters/albania/signatures`);
  await page.click('text=Add paper signatures');
  await page.waitForURL(/\/import$/);
  await page.setInputFiles('#file', { name: 'sheet.csv', mimeType: 'text/csv', buffer: Buffer.from(SHEET, 'utf8') });
  await page.check('input[name=source][value=paper]');
  await page.click('button[type=submit].primary');
  await page.waitForSelector('text=will be added');
  assert.match(await page.locator('p.notice').first().textContent() ?? '', /4 signatures will be added, marked “From paper”/);
  assert.deepEqual((await page.locator('table.signatures bdi.name').allTextContents()).slice(0, 2), ['مریم نصر\u200Cاللهی', 'علي كريمي']);
  await screenshot(page, '12-en-paper-preview-1280');
  await page.click('text=Add 4 signatures');
  await page.waitForSelector('text=4 signatures were added.');

  // check a title, turn the notable signatories on
  await page.goto(`${server.baseUrl}/en/organise/letters/albania/signatures?q=ilir`);
  await page.click('table.signatures button:has-text("Mark title checked")');
  await page.waitForSelector('text=✓ checked');
  await page.goto(`${server.baseUrl}/en/organise/letters/albania/signatures`);
  await page.check('input[name=show]');
  await page.click('form.notable-option button[type=submit]');
  await page.waitForSelector('text=Saved.');
  await page.goto(`${server.baseUrl}/en/organise/letters/albania/signatures?source=paper`);
  assert.equal(await page.locator('table.signatures tbody tr').count(), 4);
  await screenshot(page, '12-en-paper-signatures-1280');
  await ctx.close();

  await new Promise((r) => setTimeout(r, 2500)); // the public caches (counts 2 s, list refresh)
  for (const [lang, width] of [['en', 1280], ['en', 390], ['fa', 1280], ['fa', 390]] as const) {
    const c = await browser.newContext({ locale: lang === 'fa' ? 'fa-IR' : 'en-GB', viewport: { width, height: 900 } });
    const p = await c.newPage();
    await p.goto(`${server.baseUrl}/${lang}/letters/albania`);
    const tally = (await p.locator('.tally .count strong').textContent()) ?? '';
    if (lang === 'en') assert.equal(tally, '6 signatures: 2 confirmed by email, 4 from paper');
    else assert.equal(tally, '۶ امضا: ۲ تأییدشده با ایمیل، ۴ از برگه‌های کاغذی');
    const notable = p.locator('section.notable li');
    assert.equal(await notable.count(), 1, 'only the checked title is featured');
    assert.match(await notable.first().textContent() ?? '', /Professor, University of Tirana/);
    // nothing overflows the narrow screen
    const overflow = await p.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.ok(overflow <= 0, `${lang} ${width}px: ${overflow}px of horizontal overflow`);
    await screenshot(p, `12-${lang}-paper-letter-${width}`);
    await c.close();
  }
  // The share card and the home page say it too
  for (const lang of ['en', 'fa']) {
    const png = Buffer.from(await (await fetch(`${server.baseUrl}/${lang}/letters/albania/card.png`)).arrayBuffer());
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(join(SCREENSHOTS, `12-${lang}-paper-card.png`), png);
  }
  assert.match(await (await fetch(`${server.baseUrl}/en/`)).text(), /6 signatures: 2 confirmed by email, 4 from paper/);
  // The PDF (print view) says the same split
  for (const [lang, want] of [['en', '6 signatures: 2 confirmed by email, 4 from paper'], ['fa', '']] as const) {
    const pdf = Buffer.from(await (await fetch(`${server.baseUrl}/${lang}/letters/albania.pdf`)).arrayBuffer());
    const text = spawnSync('pdftotext', ['-layout', '-', '-'], { input: pdf, encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    if (lang === 'en') assert.ok(text.includes(want), text.slice(0, 600));
    else {
      // pdftotext marks the runs' directions (U+202A…U+202E, U+200E, U+200F) and orders RTL runs its own way
      const plain = text.replace(/[\u200e\u200f\u202a-\u202e]/g, '');
      for (const part of ['۶امضا ۲', 'تأییدشده با ایمیل ۴', 'از برگه‌های کاغذی']) assert.ok(plain.includes(part), `${part} in the fa PDF: ${plain.slice(0, 400)}`);
    }
  }
});
