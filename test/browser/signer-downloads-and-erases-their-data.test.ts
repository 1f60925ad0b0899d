/**
 * Browser story, in Debian's chromium (issue 16 item 5): Maryam signs in Persian, confirms, and opens the "manage my
 * signature" link of her mail. She sees what is stored about her, in Persian, English and Arabic (screenshots at
 * 1280 and 390 px), downloads her data as JSON, then erases it: the erasure page says what stays public, her name
 * leaves the list, the count drops, her link stops working, and `undersigned audit` of the live site still passes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { runCli } from '../../src/cli.ts';
import { launchChromium, screenshot, signAndConfirmViaApi, startServer, waitFor, waitForMail, type LiveServer } from '../support/browser.ts';

const SLUG = 'manage-story';
let server: LiveServer;
let browser: Browser;
let dir = '';
const contexts: BrowserContext[] = [];

async function pageAt(width: number, opts: { acceptDownloads?: boolean } = {}): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height: width < 600 ? 844 : 900 }, acceptDownloads: opts.acceptDownloads ?? false });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

async function audit(): Promise<{ code: number; report: { letters: { slug: string; apiCount: number; logCount: number }[] } }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['audit', server.baseUrl, '--state', join(dir, 'state.json'), '--json', '--retries', '3'], { out: (s) => void out.push(s), err: (s) => void err.push(s), isTTY: false }, {}, dir);
  assert.ok(out.length, err.join(''));
  return { code, report: JSON.parse(out.join('')) };
}

describe('a signer downloads and then erases their data from the manage link (chromium)', { timeout: 240_000 }, () => {
  let manageUrl = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'undersigned-manage-'));
    server = await startServer();
    browser = await launchChromium();
    await createLetter(server.app.deps, {
      slug: SLUG,
      addressee: { name: 'Ilir Meta' },
      defaultLang: 'fa',
      versions: [
        { lang: 'fa', title: 'نامهٔ سرگشاده به رئیس‌جمهور آلبانی', body: 'جناب آقای ایلیر متا،\n\nما گروهی از اعضای سابق سازمان هستیم.' },
        { lang: 'en', title: 'Open letter to the President of Albania', body: 'Dear Mr Ilir Meta,\n\nWe are former members.' },
        { lang: 'ar', title: 'رسالة مفتوحة إلى رئيس ألبانيا', body: 'السيد إيلير ميتا،\n\nنحن أعضاء سابقون.' },
      ],
    }, { publish: true });
    await signAndConfirmViaApi(server, SLUG, { name: 'Zoe Adams', email: 'zoe@example.org', lang: 'en' });
    await signAndConfirmViaApi(server, SLUG, { name: 'مریم رضایی', nameAlt: 'Maryam Rezaei', title: 'پزشک', country: 'IR', email: 'maryam@example.org', lang: 'fa' });
    const mail = await waitForMail(server.outboxDir, 'maryam@example.org');
    manageUrl = mail.text.match(/https?:\/\/\S+\/fa\/manage\?token=[A-Za-z0-9_-]+/)![0];
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the manage page in Persian, English and Arabic at 1280 and 390 px: direction, isolated names, what is stored', async () => {
    await waitFor('the signature in the log', async () => ((await (await fetch(`${server.baseUrl}/api/v1/letters/${SLUG}/signatures?lang=en`)).json()) as { items: { logIndex: number | null }[] }).items.every((i) => i.logIndex !== null) || undefined);
    const token = new URL(manageUrl).searchParams.get('token')!;
    for (const lang of ['fa', 'en', 'ar']) {
      for (const width of [1280, 390]) {
        const page = await pageAt(width);
        await page.goto(`${server.baseUrl}/${lang}/manage?token=${token}`);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        assert.equal(await page.getAttribute('html', 'dir'), lang === 'en' ? 'ltr' : 'rtl');
        assert.equal(await page.locator('dl.facts bdi', { hasText: 'مریم رضایی' }).count(), 1);
        assert.equal(await page.locator('dl.facts bdi[dir=ltr]', { hasText: 'maryam@example.org' }).count(), 1);
        assert.equal(await page.locator('nav.langs a[hreflang]').count(), 7, 'the language switcher');
        await screenshot(page, `16-manage-${lang}-${width}`);
        // Nothing spills sideways at phone width.
        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        assert.ok(Number(overflow) <= 0, `no horizontal scroll in ${lang} at ${width}px (${overflow}px)`);
      }
    }
  });

  test('download, then erase: the JSON holds her data; afterwards her name and link are gone and the audit passes', async () => {
    assert.equal((await audit()).code, 0, 'the audit passes before');
    const page = await pageAt(1280, { acceptDownloads: true });
    await page.goto(manageUrl);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('form[action="/fa/manage/export"] button')]);
    assert.equal(download.suggestedFilename(), `undersigned-${SLUG}-my-data.json`);
    const data = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    assert.equal(data.signature.email, 'maryam@example.org');
    assert.equal(data.signature.name, 'مریم رضایی');
    assert.equal(data.signature.status, 'confirmed');
    assert.equal(data.log.entries[0].type, 'sig');

    await page.click('a[href^="/fa/manage/erase?token="]');
    await page.waitForURL(/\/fa\/manage\/erase\?token=/);
    assert.match(await page.locator('main').innerText(), /آنچه عمومی می‌ماند/);
    await screenshot(page, '16-manage-erase-fa-1280');
    assert.equal(((await (await fetch(`${server.baseUrl}/api/v1/letters/${SLUG}`)).json()) as { count: number }).count, 2, 'opening the erasure page changed nothing');
    await Promise.all([page.waitForURL(/\/fa\/manage\/erase$/), page.click('form[action="/fa/manage/erase"] button.danger')]);
    assert.match(await page.locator('h1').innerText(), /داده‌های شما پاک شد/);

    const letter = (await (await fetch(`${server.baseUrl}/api/v1/letters/${SLUG}`)).json()) as { count: number };
    assert.equal(letter.count, 1);
    const names = ((await (await fetch(`${server.baseUrl}/api/v1/letters/${SLUG}/signatures?lang=en`)).json()) as { items: { name: string }[] }).items.map((i) => i.name);
    assert.deepEqual(names, ['Zoe Adams']);
    const again = await page.goto(manageUrl);
    assert.equal(again?.status(), 404);

    let last = '';
    const after = await waitFor('the audit after the erasure', async () => {
      const a = await audit();
      last = JSON.stringify(a.report);
      return a.code === 0 && a.report.letters.find((l) => l.slug === SLUG)?.logCount === 1 ? a : undefined;
    }, 20_000, 500).catch((e) => assert.fail(`${e.message}: ${last}`));
    assert.equal(after.report.letters.find((l) => l.slug === SLUG)?.apiCount, 1);
  });
});
