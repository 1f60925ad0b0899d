/**
 * Every page on a signer's path (thanks, confirm, receipt, its check, the public check, withdraw) has the language
 * switcher, the letter's languages first, each link to the same page (the same token) in that language; and the
 * pages say plainly what happened: the thanks page says a mail was sent, a superseded confirmation link says a
 * newer one was sent.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, openLetter, Browser, type TestApp } from './support/app.ts';
import { translator } from '../src/adapters/i18n/index.ts';

/** The switcher's links: [hreflang, href] in order, and the current language. */
function switcher(body: string): { links: [string, string][]; current: string | undefined } {
  const nav = body.match(/<nav aria-label="[^"]*" class="langs">([\s\S]*?)<\/nav>/)?.[1] ?? '';
  const links = [...nav.matchAll(/<a href="([^"]+)" hreflang="([^"]+)"/g)].map((m) => [m[2]!, m[1]!.replace(/&amp;/g, '&')] as [string, string]);
  return { links, current: nav.match(/<span class="current" lang="([^"]+)"/)?.[1] };
}

describe('the signer’s pages have the language switcher and speak plainly', () => {
  let t: TestApp;
  let b: Browser;
  before(async () => {
    t = await testApp({ UNDERSIGNED_CONTACT: 'privacy@example.org' });
    await openLetter(t);
    b = new Browser(t.http);
  });
  after(() => t.close());

  test('thanks, confirm, receipt, receipt check, public check and withdraw pages switch language, token kept', async () => {
    const s = await b.post('/fa/letters/albania/sign', { name: 'مریم', email: 'maryam@example.org', lang: 'fa' }, '/fa/letters/albania');
    assert.equal(s.statusCode, 303);
    const thanks = await b.get('/fa/letters/albania/thanks');
    const fa = translator('fa');
    assert.ok(thanks.body.includes(fa('sign.thanks.body')) && thanks.body.includes(fa('sign.thanks.spam')));
    assert.doesNotMatch(translator('en')('sign.thanks.body'), /If this address can sign/);
    let sw = switcher(thanks.body);
    assert.equal(sw.current, 'fa');
    assert.deepEqual(sw.links.slice(0, 1), [['en', '/en/letters/albania/thanks']], 'the letter’s other language first');
    assert.ok(sw.links.some(([l, h]) => l === 'ar' && h === '/ar/letters/albania/thanks'), 'then every interface language');

    await t.flushMail();
    const token = t.mailer.lastToken('maryam@example.org');
    const confirmPage = await b.get(`/fa/confirm?token=${token}`);
    sw = switcher(confirmPage.body);
    assert.equal(sw.current, 'fa');
    assert.deepEqual(sw.links[0], ['en', `/en/confirm?token=${token}`]);
    const en = await b.get(sw.links[0]![1]);
    assert.equal(en.statusCode, 200);
    assert.match(en.body, /<html lang="en" dir="ltr">/);
    assert.match(en.body, /Confirm my signature/);

    const c = await b.post('/fa/confirm', { token }, `/fa/confirm?token=${token}`);
    assert.equal(c.statusCode, 200);
    const receipt = c.body.match(/href="\/fa\/receipts\/([A-Za-z0-9_-]+)"/)![1]!;
    assert.deepEqual(switcher(c.body).links[0], ['en', `/en/receipts/${receipt}`], 'after confirming: the receipt page in English');
    const r = await b.get(`/fa/receipts/${receipt}`);
    assert.deepEqual(switcher(r.body).links[0], ['en', `/en/receipts/${receipt}`]);
    const rv = await b.get(`/fa/receipts/${receipt}/verify`);
    assert.ok(switcher(rv.body).links.some(([l, h]) => l === 'en' && h === `/en/receipts/${receipt}/verify`));
    const pv = await b.get('/ar/verify');
    assert.equal(switcher(pv.body).current, 'ar');
    assert.match(pv.body, /<html lang="ar" dir="rtl">/);

    const mail = [...t.mailer.sent].reverse().find((m) => m.to === 'maryam@example.org' && m.template === 'confirm')!;
    const w = mail.text.match(/withdraw\?token=([A-Za-z0-9_-]+)/)![1]!;
    const wp = await b.get(`/fa/withdraw?token=${w}`);
    assert.deepEqual(switcher(wp.body).links[0], ['en', `/en/withdraw?token=${w}`]);
    const done = await b.post('/fa/withdraw', { token: w }, `/fa/withdraw?token=${w}`);
    assert.equal(done.statusCode, 200);
    assert.deepEqual(switcher(done.body).links[0], ['en', `/en/withdraw?token=${w}`]);
  });

  test('a superseded confirmation link says that a newer link was sent', async () => {
    const email = 'zoe@example.org';
    await b.post('/en/letters/albania/sign', { name: 'Zoe Adams', email, lang: 'en' }, '/en/letters/albania');
    await t.flushMail();
    const first = t.mailer.lastToken(email);
    await b.post('/en/letters/albania/sign', { name: 'Zoe Adams', email, lang: 'en' }, '/en/letters/albania');
    await t.flushMail();
    assert.notEqual(t.mailer.lastToken(email), first, 'signing again sent a new link');
    const old = await b.get(`/en/confirm?token=${first}`);
    assert.match(old.body, /a newer link was sent to you: use the one in the latest email/);
    const switched = switcher(old.body).links.find(([l]) => l === 'fa')!;
    assert.equal(switched[1], `/fa/confirm?token=${first}`);
  });

  test('a signer who lost the first mail signs again: the "already signed" mail links a fresh receipt, and withdrawing works', async () => {
    const email = 'lost@example.org';
    await b.post('/en/letters/albania/sign', { name: 'Lost Mail', email, lang: 'en' }, '/en/letters/albania');
    await t.flushMail();
    const token = t.mailer.lastToken(email);
    assert.equal((await b.post('/en/confirm', { token }, `/en/confirm?token=${token}`)).statusCode, 200);
    await b.post('/fa/letters/albania/sign', { name: 'Lost Mail', email, lang: 'fa' }, '/fa/letters/albania');
    await t.flushMail();
    const mail = [...t.mailer.sent].reverse().find((m) => m.to === email && m.template === 'already-signed')!;
    assert.equal(mail.lang, 'fa');
    const link = mail.text.match(/http:\/\/test\.local(\/fa\/receipts\/([A-Za-z0-9_-]+))/);
    assert.ok(link, `the mail links a receipt: ${mail.text}`);
    const receipt = await b.get(link[1]!);
    assert.equal(receipt.statusCode, 200);
    assert.match(receipt.body, /action="\/fa\/withdraw"/, 'the receipt page offers the withdrawal');
    const w = await b.post('/fa/withdraw', { token: link[2]! }, link[1]!);
    assert.equal(w.statusCode, 200);
    assert.ok(w.body.includes(translator('fa')('withdraw.done')));
  });

  test('the privacy page names the operator’s contact, in every language', async () => {
    const en = await b.get('/en/privacy');
    assert.match(en.body, /write to <a href="mailto:privacy@example\.org" dir="ltr">privacy@example\.org<\/a>\./);
    const fa = await b.get('/fa/privacy');
    assert.match(fa.body, /به <a href="mailto:privacy@example\.org" dir="ltr">privacy@example\.org<\/a> بنویسید/);
  });
});
