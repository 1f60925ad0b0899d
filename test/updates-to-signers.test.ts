/**
 * Updates to signers and the addressee's reply through a real SMTP peer (issue 13 items 3 and 4): an update reaches
 * only the confirmed signers who opted in (not the pending, the withdrawn or those who did not tick the box), each
 * in their language or the letter's default; every mail carries List-Unsubscribe (a one-click POST URL) and
 * List-Unsubscribe-Post; a second send of the same update sends nothing; GET of the link changes nothing; the
 * one-click POST (RFC 8058 body) unsubscribes and the next update skips that signer; the reply is recorded through
 * the organiser API, goes out as an update, shows under the letter (lang/dir per block) and in the API, is a
 * `reply` entry in the log whose hashes match, and `undersigned audit` passes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../src/main.ts';
import { loadConfig } from '../src/config.ts';
import { createLetter } from '../src/use-cases/create-letter.ts';
import { createApiToken } from '../src/use-cases/organiser-tokens.ts';
import { decodeEntry, toBase64 } from '../src/core/log/index.ts';
import { runCli } from '../src/cli.ts';
import { faEnLetter } from './support/app.ts';
import { startSmtp, type ReceivedMail } from './support/smtp.ts';

const json = (payload: unknown, headers: Record<string, string> = {}) => ({ payload: JSON.stringify(payload), headers: { 'content-type': 'application/json', ...headers } });
const MARYAM = 'مریم رضاي\u200cزاده';
const OWNER = 'owner@example.org';

/** A header of a raw mail, unfolded. */
const header = (m: ReceivedMail, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(m.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' '))?.[1]?.trim();

describe('updates to signers and the reply, through a real SMTP peer', () => {
  let peer: Awaited<ReturnType<typeof startSmtp>>;
  let app: App;
  let dir: string;
  let token: string;
  const withdrawTokens = new Map<string, string>();

  async function sign(name: string, email: string, lang: string, consentUpdates: boolean, confirm = true) {
    const http = await app.http();
    const r = await http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json({ name, email, lang, visibility: 'public', consentUpdates }) });
    assert.equal(r.statusCode, 202, r.body);
    await app.deliverMail();
    const mail = await peer.waitFor((m) => m.to.includes(email) && /confirm\?token=/.test(m.text));
    withdrawTokens.set(email, /withdraw\?token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!);
    if (!confirm) return;
    const c = await http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({ token: /confirm\?token=([A-Za-z0-9_-]+)/.exec(mail.text)![1] }) });
    assert.equal(c.statusCode, 200, c.body);
  }

  const api = async (path: string, body: unknown, headers: Record<string, string> = {}) =>
    (await app.http()).inject({ method: 'POST', url: `/api/v1/organise/letters/albania${path}`, ...json(body, { authorization: `Bearer ${token}`, ...headers }) });

  /** The update mails that reached the peer since `from`, by recipient. */
  async function updatesSince(from: number, expect: number): Promise<Map<string, ReceivedMail>> {
    await app.deliverMail();
    const end = Date.now() + 10_000;
    for (;;) {
      const got = peer.mails.slice(from).filter((m) => header(m, 'X-Undersigned-Template') === 'update');
      if (got.length >= expect || Date.now() > end) {
        // Wait a little more: nothing else may arrive.
        await new Promise((r) => setTimeout(r, 200));
        await app.deliverMail();
        const all = peer.mails.slice(from).filter((m) => header(m, 'X-Undersigned-Template') === 'update');
        return new Map(all.map((m) => [m.to[0]!, m]));
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  before(async () => {
    peer = await startSmtp();
    dir = mkdtempSync(join(tmpdir(), 'undersigned-updates-'));
    app = await buildApp(loadConfig({ UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_BASE_URL: 'http://test.local', UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_SCREENING: 'off', UNDERSIGNED_SMTP_URL: peer.url }, { dataDir: dir }));
    const letter = faEnLetter('albania', { organisers: [OWNER], goal: 3 });
    letter.versions.push({ lang: 'de', title: 'Offener Brief an den Präsidenten Albaniens', body: 'Sehr geehrter Herr **Ilir Meta**,\n\nwir …' } as never);
    await createLetter(app.deps, letter, { publish: true });
    token = (await createApiToken(app.deps, OWNER, { letterSlug: 'albania' })).token;
    await sign(MARYAM, 'maryam@example.org', 'fa', true);
    await sign('Zoe Adams', 'zoe@example.org', 'en', true);
    await sign('Hans Weber', 'hans@example.org', 'de', true);
    await sign('Ali Nazari', 'ali@example.org', 'fa', false);
    await sign('Pat Pending', 'pending@example.org', 'en', true, false);
    await sign('Wim Withdrawn', 'wim@example.org', 'en', true);
    const http = await app.http();
    const w = await http.inject({ method: 'POST', url: '/en/withdraw', payload: `token=${withdrawTokens.get('wim@example.org')}`, headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', origin: 'http://test.local' } });
    assert.equal(w.statusCode, 200, w.body);
  });
  after(async () => {
    await app?.close();
    await peer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const first = { subject: { fa: 'خبر تازه دربارهٔ نامه', en: 'News about the letter' }, body: { fa: 'نامه به دفتر رئیس‌جمهور رسید.', en: 'The letter reached the president’s office.' } };
  let unsubscribeUrl = '';

  test('an update reaches only the consenting confirmed signers, each in their language; a repeat sends nothing', async () => {
    const from = peer.mails.length;
    const r = await api('/updates', first);
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().recipients, 3);
    assert.equal(r.json().repeat, false);
    const got = await updatesSince(from, 3);
    assert.deepEqual([...got.keys()].sort(), ['hans@example.org', 'maryam@example.org', 'zoe@example.org']);
    assert.equal(got.get('maryam@example.org')!.subject, first.subject.fa);
    assert.match(got.get('maryam@example.org')!.text, /نامه به دفتر رئیس‌جمهور رسید/);
    assert.equal(got.get('zoe@example.org')!.subject, first.subject.en);
    // Hans signed in German; the update has no German: the letter's default language (fa).
    assert.equal(got.get('hans@example.org')!.subject, first.subject.fa);
    for (const m of got.values()) {
      const list = header(m, 'List-Unsubscribe');
      assert.match(list ?? '', /^<http:\/\/test\.local\/(fa|en|de)\/unsubscribe\?token=[A-Za-z0-9_-]+>$/);
      assert.equal(header(m, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
      // The visible link is the same URL.
      assert.ok(m.text.includes(list!.slice(1, -1)), 'the mail shows its unsubscribe link');
      assert.ok(!m.text.includes('@example.org'), 'no address in the text');
    }
    unsubscribeUrl = header(got.get('maryam@example.org')!, 'List-Unsubscribe')!.slice(1, -1);
    // The unsubscribe link only unsubscribes: providers and anyone the mail is forwarded to see it, so it neither
    // withdraws the signature nor opens its receipt (which holds the address).
    const unsubToken = new URL(unsubscribeUrl).searchParams.get('token')!;
    const h = await app.http();
    const w = await h.inject({ method: 'POST', url: '/fa/withdraw', payload: `token=${unsubToken}`, headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', origin: 'http://test.local' } });
    assert.ok(w.statusCode >= 400 && w.statusCode < 500, `withdraw with an unsubscribe token: ${w.statusCode}`);
    for (const path of ['', '/receipt.json', '/receipt.tlog-proof']) {
      const r = await h.inject({ method: 'GET', url: `/fa/receipts/${unsubToken}${path}` });
      assert.ok(r.statusCode >= 400 && r.statusCode < 500, `receipt${path} with an unsubscribe token: ${r.statusCode}`);
      assert.doesNotMatch(r.body, /maryam@example\.org/);
    }
    const maryamLetter = (await app.store.letters.bySlug('albania'))!;
    assert.equal((await app.store.signatures.byEmail(maryamLetter.id, 'maryam@example.org'))?.status, 'confirmed', 'still signed');
    // Every mail to a signer carries their private manage link, which opens their own page.
    const manage = /http:\/\/test\.local(\/fa\/manage\?token=[A-Za-z0-9_-]+)/.exec(got.get('maryam@example.org')!.text)?.[1];
    assert.ok(manage, 'the update carries the manage link');
    const page = await (await app.http()).inject({ method: 'GET', url: manage });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /maryam@example\.org/, 'the manage page shows the signer what is stored');

    const again = await api('/updates', first);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().repeat, true);
    assert.equal(again.json().id, r.json().id);
    const more = await updatesSince(peer.mails.length, 0);
    assert.equal(more.size, 0, 'a repeat sends nothing');
  });

  test('GET of the unsubscribe link shows a button and changes nothing; the one-click POST unsubscribes, kept; the next update skips that signer', async () => {
    const http = await app.http();
    const path = new URL(unsubscribeUrl).pathname + new URL(unsubscribeUrl).search;
    for (let i = 0; i < 2; i++) {
      const g = await http.inject({ method: 'GET', url: path });
      assert.equal(g.statusCode, 200);
      assert.match(g.body, /<form method="post" action="\/fa\/unsubscribe\?token=/);
    }
    // RFC 8058: the mail provider POSTs the List-Unsubscribe URL with this body; no Origin, no cookie.
    const p = await http.inject({ method: 'POST', url: path, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(p.statusCode, 200, p.body);
    assert.match(p.body, /role="status"/);
    const twice = await http.inject({ method: 'POST', url: path, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(twice.statusCode, 200);
    const bad = await http.inject({ method: 'POST', url: '/fa/unsubscribe?token=nope', payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(bad.statusCode, 404);

    const from = peer.mails.length;
    const r = await api('/updates', { subject: { fa: 'خبر دوم', en: 'Second news' }, body: { fa: 'متن دوم', en: 'Second text' } });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().recipients, 2);
    const got = await updatesSince(from, 2);
    assert.deepEqual([...got.keys()].sort(), ['hans@example.org', 'zoe@example.org']);
  });

  test('the reply: recorded by API, logged with its hashes, sent as an update, under the letter and in the API', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    const texts = { fa: 'از نامهٔ شما سپاسگزاریم. درخواست‌تان بررسی می‌شود.', en: 'Thank you for your letter. Your request is being considered.' };
    const from = peer.mails.length;
    const r = await api('/replies', { texts, receivedOn: '2026-02-20', pdfBase64: pdf.toString('base64') });
    assert.equal(r.statusCode, 201, r.body);
    const rep = r.json();
    assert.equal(rep.update.recipients, 2);
    assert.equal(rep.pdfSha256, createHash('sha256').update(pdf).digest('base64'));
    const again = await api('/replies', { texts, receivedOn: '2026-02-20', pdfBase64: pdf.toString('base64') });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().repeat, true);
    const got = await updatesSince(from, 2);
    assert.deepEqual([...got.keys()].sort(), ['hans@example.org', 'zoe@example.org']);
    assert.match(got.get('zoe@example.org')!.text, /Thank you for your letter/);

    // The log: one reply entry; its text hash is the API's, its pdf hash the PDF's.
    await app.drainLog();
    const state = (await app.store.log.state())!;
    const replies = [];
    for (let i = 0; i < state.size; i++) {
      const e = decodeEntry((await app.store.log.entryAt(i))!);
      if (e.type === 'reply') replies.push(e);
    }
    assert.equal(replies.length, 1);
    assert.equal(toBase64(replies[0]!.text), rep.textSha256);
    assert.equal(toBase64(replies[0]!.pdf), rep.pdfSha256);
    const canonical = `date 2026-02-20\nlang en\nbytes ${Buffer.byteLength(texts.en)}\n${texts.en}\nlang fa\nbytes ${Buffer.byteLength(texts.fa)}\n${texts.fa}\n`;
    assert.equal(rep.textSha256, createHash('sha256').update(canonical).digest('base64'), 'the canonical text as docs/transparency-log.md defines it');

    const http = await app.http();
    await new Promise((res) => setTimeout(res, 2100)); // the public reads' 2 s cache
    const letter = (await http.inject({ method: 'GET', url: '/api/v1/letters/albania' })).json();
    assert.equal(letter.replies.length, 1);
    assert.equal(letter.replies[0].textSha256, rep.textSha256);
    assert.ok(!JSON.stringify(letter).includes(OWNER), 'no organiser address in the public letter');
    const file = await http.inject({ method: 'GET', url: letter.replies[0].pdfUrl });
    assert.equal(file.statusCode, 200);
    assert.equal(file.headers['content-type'], 'application/pdf');
    assert.deepEqual(file.rawPayload, pdf);
    const fa = await http.inject({ method: 'GET', url: '/fa/letters/albania' });
    assert.match(fa.body, /<blockquote class="reply-text" lang="fa" dir="rtl">[\s\S]*درخواست‌تان بررسی می‌شود/);
    const de = await http.inject({ method: 'GET', url: '/de/letters/albania' });
    // No German text: the reply in its first language, marked as such, with its own lang and dir.
    assert.match(de.body, /<blockquote class="reply-text" lang="en" dir="ltr">/);
    assert.ok(fa.body.indexOf('class="reply"') > fa.body.indexOf('</article>') && fa.body.indexOf('class="reply"') < fa.body.indexOf('id="sign"'), 'under the letter, above the form');
  });

  test('bad updates and replies are refused with codes, never a 500', async () => {
    const noDefault = await api('/updates', { subject: { en: 'Only English' }, body: { en: 'x' } });
    assert.equal(noDefault.statusCode, 400);
    assert.equal(noDefault.json().error.code, 'VALIDATION_FAILED');
    assert.ok(noDefault.json().error.fields.some((f: { field: string; code: string }) => f.field === 'subject.fa' && f.code === 'REQUIRED'));
    const future = await api('/replies', { texts: { fa: 'x' }, receivedOn: '2999-01-01' });
    assert.equal(future.statusCode, 400);
    assert.ok(future.json().error.fields.some((f: { field: string; code: string }) => f.field === 'receivedOn' && f.code === 'INVALID_DATE'));
    const notPdf = await api('/replies', { texts: { fa: 'x' }, receivedOn: '2026-02-01', pdfBase64: Buffer.from('hello').toString('base64') });
    assert.equal(notPdf.statusCode, 400);
    assert.ok(notPdf.json().error.fields.some((f: { field: string; code: string }) => f.field === 'pdf' && f.code === 'INVALID_FILE'));
    const noToken = await (await app.http()).inject({ method: 'POST', url: '/api/v1/organise/letters/albania/updates', ...json(first) });
    assert.equal(noToken.statusCode, 401);
    const form = await (await app.http()).inject({ method: 'POST', url: '/api/v1/organise/letters/albania/updates', payload: 'subject=x', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.ok(form.statusCode === 400 || form.statusCode === 415, 'a form post to the API is refused');
    const doc = (await (await app.http()).inject({ method: 'GET', url: '/api/openapi.json' })).json();
    assert.ok(doc.paths['/api/v1/organise/letters/{slug}/updates']?.post, 'OpenAPI describes the updates endpoint');
    assert.ok(doc.paths['/api/v1/organise/letters/{slug}/replies']?.post, 'OpenAPI describes the replies endpoint');
    assert.ok(doc.paths['/api/v1/letters/{slug}'].get.responses['200'].content['application/json'].schema.properties.replies);
  });

  test('undersigned audit passes on a log holding a reply entry', async () => {
    await app.drainLog();
    const http = await app.http();
    await http.listen({ port: 0, host: '127.0.0.1' });
    const addr = http.server.address();
    const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const out: string[] = [];
    const code = await runCli(['audit', base, '--state', join(dir, 'audit-state.json'), '--retries', '0', '--json'], { out: (x: string) => void out.push(x), err: (x: string) => void out.push(x), isTTY: false }, {}, dir);
    assert.equal(code, 0, out.join(''));
  });
});
