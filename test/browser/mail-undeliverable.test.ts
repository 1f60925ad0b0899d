/**
 * The desk in Debian chromium after a real SMTP peer refused two signers' addresses for good (550 to RCPT TO): the
 * owner sees the mark in the signatures table and opens the server's answer, filters to those signers, and reads the
 * count on the dashboard; fa and en, 1280 and 390 px wide (screenshots 14-*).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildApp, type App } from '../../src/main.ts';
import { loadConfig } from '../../src/config.ts';
import { SmtpMailer } from '../../src/adapters/mail/smtp.ts';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { deliverLetter } from '../../src/use-cases/deliver-letter.ts';
import { sendUpdate } from '../../src/use-cases/send-update.ts';
import { faEnLetter } from '../support/app.ts';
import { launchChromium, screenshot, SCREENSHOTS, waitFor } from '../support/browser.ts';
import { KeepingMailer, startSmtp } from '../support/smtp.ts';

const OWNER = 'owner@example.org';
let app: App;
let browser: Browser;
let base = '';
let mailer: KeepingMailer;
let peer: Awaited<ReturnType<typeof startSmtp>>;
const dir = mkdtempSync(join(tmpdir(), 'undersigned-undeliverable-browser-'));

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const a = s.address();
    s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
  });
});

before(async () => {
  const refused = new Set(['nobody@example.org']);
  peer = await startSmtp({ refuse: (a) => (refused.has(a) ? { code: 550, message: `5.1.1 <${a}>: Recipient address rejected: User unknown in virtual mailbox table` } : undefined) });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  mailer = new KeepingMailer(new SmtpMailer(peer.url, 'Letters <letters@mail.example.org>'));
  app = await buildApp(loadConfig({ UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_SCREENING: 'off', UNDERSIGNED_BASE_URL: base }, { dataDir: dir }), { mailer, worker: true });
  await (await app.http()).listen({ port, host: '127.0.0.1' });
  browser = await launchChromium();
  await createLetter(app.deps, faEnLetter('albania', { organisers: [OWNER] }), { publish: true });
  const signers = [
    ['مریم کریمی', 'maryam@example.org', 'fa', 'IR'], ['علیرضا نصر اللهی', 'alireza@example.org', 'fa', 'DE'], ['Zoë Martin', 'zoe@example.org', 'en', 'FR'],
    ['زهرا معینی', 'zahra@example.org', 'fa', 'SE'], ['Nobody Here', 'nobody@example.org', 'en', 'GB'],
  ] as const;
  for (const [name, email, lang, country] of signers) {
    const r = await fetch(`${base}/api/v1/letters/albania/signatures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, email, lang, country, visibility: 'public', consentUpdates: true }) });
    assert.equal(r.status, 202, await r.text());
  }
  for (const [, email] of signers.slice(0, 4)) {
    await waitFor(`confirmation to ${email}`, () => mailer.sent.find((m) => m.to === email && m.template === 'confirm'));
    const c = await fetch(`${base}/api/v1/confirmations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: mailer.lastToken(email) }) });
    assert.equal(c.status, 200);
  }
  // Zahra's mailbox goes away after she confirmed: the next update to the signers is refused for her.
  refused.add('zahra@example.org');
  await sendUpdate(app.deps, 'albania', OWNER, { subject: { fa: 'خبر', en: 'News' }, body: { fa: 'متن', en: 'Text' }, key: 'k1', kind: 'update' });
  await waitFor('two refused addresses', async () => ((await app.store.outbox.stats(new Date().toISOString())).undeliverable === 2 ? true : undefined), 20_000);
});
after(async () => {
  await browser?.close();
  await app?.close();
  await peer?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function signIn(page: Page, lang: string) {
  const before = mailer.sent.filter((m) => m.template === 'login').length;
  await page.goto(`${base}/${lang}/organise`);
  await page.fill('#email', OWNER);
  await page.click('button[type=submit]');
  await waitFor('the login mail', () => (mailer.sent.filter((m) => m.template === 'login').length > before ? true : undefined));
  await page.goto(`${base}/${lang}/organise/login/complete?token=${mailer.lastToken(OWNER, 'login')}`);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/${lang}/organise`);
}

for (const [lang, width, locale] of [['en', 1280, 'en-GB'], ['en', 390, 'en-GB'], ['fa', 1280, 'fa-IR'], ['fa', 390, 'fa-IR']] as const) {
  test(`the refused addresses on the desk: ${lang}, ${width} px`, { timeout: 120_000 }, async () => {
    const ctx = await browser.newContext({ locale, viewport: { width, height: 900 } });
    const page = await ctx.newPage();
    await signIn(page, lang);
    const count = page.locator('a.mail-refused-count');
    assert.equal(await count.getAttribute('href'), `/${lang}/organise/letters/albania/signatures?mail=undeliverable`);
    assert.match(await count.textContent() ?? '', lang === 'en' ? /^2 signers’ addresses refused our mail$/ : /^نشانی ۲ امضاکننده ایمیل ما را نپذیرفت$/);
    if (width === 1280) await screenshot(page, `14-${lang}-dashboard-undeliverable-${width}`);
    await page.goto(`${base}/${lang}/organise/letters/albania/signatures`);
    assert.equal(await page.locator('table.signatures tbody tr').count(), 5);
    const marked = page.locator('table.signatures tbody tr.undeliverable bdi.name');
    assert.deepEqual((await marked.allTextContents()).sort(), ['Nobody Here', 'زهرا معینی']);
    await page.locator('tr.undeliverable details.mail-refused summary').first().click();
    assert.match(await page.locator('tr.undeliverable details.mail-refused[open] code').first().textContent() ?? '', /550[\s\S]*User unknown/);
    await screenshot(page, `14-${lang}-signatures-undeliverable-${width}`);
    await page.locator('table.signatures').screenshot({ path: join(SCREENSHOTS, `14-${lang}-signatures-table-${width}.png`) });
    // The filter: only those two; the choice kept in the form.
    await page.selectOption('#mail', 'undeliverable');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/mail=undeliverable/);
    assert.equal(await page.locator('table.signatures tbody tr').count(), 2);
    assert.equal(await page.locator('#mail').inputValue(), 'undeliverable');
    if (width === 390) await screenshot(page, `14-${lang}-signatures-filtered-${width}`);
    await ctx.close();
  });
}

test('the updates page: who the next update reaches, who unsubscribed; a delivery marked bounced with its text (en 1280, fa 390)', { timeout: 120_000 }, async () => {
  const letter = (await app.store.letters.bySlug('albania'))!;
  await app.store.deliveries.putTargets(letter.id, [
    { id: 'target-office', letterId: letter.id, name: 'Ilir Meta', title: 'President of Albania', email: 'office@president.example', lang: 'en' },
    { id: 'target-gone', letterId: letter.id, name: 'دفتر ریاست جمهوری', email: 'nobody@example.org', lang: 'fa' },
  ]);
  // The PDF is not the subject here: fixed bytes in place of the chromium drawing.
  const bytes = new TextEncoder().encode('%PDF-1.4\n%%EOF\n');
  await deliverLetter(app.deps, { pdf: async () => ({ bytes, sha256: createHash('sha256').update(bytes).digest('base64'), meta: { treeSize: 4 } }) }, 'albania', { actor: OWNER });
  await waitFor('both deliveries settled', async () => ((await app.store.deliveries.byLetter(letter.id)).every((d) => d.status !== 'queued') ? true : undefined), 20_000);
  // Maryam unsubscribes with her update mail's one-click link.
  const update = mailer.sent.find((m) => m.template === 'update' && m.to === 'maryam@example.org')!;
  const u = await fetch(update.headers!['List-Unsubscribe']!.slice(1, -1), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  assert.equal(u.status, 200);

  const en = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  let page = await en.newPage();
  await signIn(page, 'en');
  await page.goto(`${base}/en/organise/letters/albania/updates`);
  assert.deepEqual(await page.locator('ul.update-reach li').allTextContents(), ['The next update would reach 3 signers.', '1 signer unsubscribed from updates.']);
  assert.match(await page.locator('td.status-failed').textContent() ?? '', /failed: .*550/);
  await page.click('details.bounce summary');
  await page.fill('details.bounce textarea', 'This is the mail system at host mx.president.example.\n\n<office@president.example>: host mx.president.example said:\n    550 5.2.1 Mailbox disabled for this recipient');
  await page.click('details.bounce button[type=submit]');
  await page.waitForURL(/bounced=1/);
  assert.match(await page.locator('.notice[role=status]').textContent() ?? '', /marked as bounced/);
  assert.match(await page.locator('td.status-bounced').textContent() ?? '', /^bounced: \u2068This is the mail system at host mx\.president\.example\./);
  await page.click('td.status-bounced details.bounce-text summary');
  await screenshot(page, '13-desk-bounced-en-1280');
  await en.close();

  const fa = await browser.newContext({ locale: 'fa-IR', viewport: { width: 390, height: 900 } });
  page = await fa.newPage();
  await signIn(page, 'fa');
  await page.goto(`${base}/fa/organise/letters/albania/updates`);
  assert.deepEqual(await page.locator('ul.update-reach li').allTextContents(), ['خبر بعدی به ۳ امضاکننده می‌رسد.', '۱ امضاکننده اشتراک خبرها را لغو کرد.']);
  assert.match(await page.locator('td.status-bounced').textContent() ?? '', /^برگشت خورد: /);
  await screenshot(page, '13-desk-bounced-fa-390');
  await page.goto(`${base}/fa/letters/albania`);
  assert.match(await page.locator('section.delivery').textContent() ?? '', /ایمیل به Ilir Meta برگشت خورد: تحویل نشد\./);
  await fa.close();
});
