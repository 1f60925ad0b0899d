/**
 * The owners' page of updates, the reply and delivery on the web (in-process HTTP; the PDF by the real chromium):
 * the goal reached offers a ready milestone draft; a double click on one form sends one update; a moderator cannot
 * send; the reply form takes a PDF (multipart) and the letter page shows the reply; targets are edited in the letter
 * form (a kept target keeps its id) and the deliver button delivers, with the status per target on the page.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, openLetter, Browser, csrfFrom, signInOrganiser, type TestApp } from './support/app.ts';
import { addOrganiser } from '../src/use-cases/manage-organisers.ts';
import { createApiToken } from '../src/use-cases/organiser-tokens.ts';

let t: TestApp;
let owner: Browser;
before(async () => {
  t = await testApp();
  owner = new Browser(t.http);
  await openLetter(t, 'desk', { organisers: ['owner@example.org'], goal: 2 });
  await addOrganiser(t.app.deps, 'desk', 'mod@example.org', 'moderator', undefined);
  for (const [name, email, consent] of [['Hassan Azizi', 'a@example.org', true], ['Zahra Moeini', 'c@example.org', false]] as const) {
    await t.http.inject({ method: 'POST', url: '/api/v1/letters/desk/signatures', payload: { name, email, consentUpdates: consent, lang: 'fa' } });
    await t.flushMail();
    await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', payload: { token: t.mailer.lastToken(email) } });
  }
  await signInOrganiser(t, owner, 'owner@example.org', { lang: 'fa' });
});
after(() => t.close());

const field = (html: string, name: string) => {
  const m = new RegExp(`name="${name.replace(/\./g, '\\.')}"[^>]*value="([^"]*)"`).exec(html) ?? new RegExp(`name="${name.replace(/\./g, '\\.')}"[^>]*>([^<]*)</textarea>`).exec(html);
  return m?.[1]?.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
};

test('the goal reached: a ready milestone draft; a double click on the form sends one update', async () => {
  const page = await owner.get('/fa/organise/letters/desk/updates');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /نامه به هدف ۲ امضا رسید/);
  const subject = field(page.body, 'subject.fa');
  assert.match(subject ?? '', /به هدفش رسید/);
  assert.match(field(page.body, 'subject.en') ?? '', /reached its goal/);
  const form = { _csrf: csrfFrom(page.body), key: field(page.body, 'key')!, kind: 'milestone', 'subject.fa': subject!, 'body.fa': field(page.body, 'body.fa')!, 'subject.en': field(page.body, 'subject.en')!, 'body.en': field(page.body, 'body.en')! };
  const [a, b] = await Promise.all([owner.post('/fa/organise/letters/desk/updates', form), owner.post('/fa/organise/letters/desk/updates', form)]);
  assert.deepEqual([a.statusCode, b.statusCode], [303, 303]);
  assert.deepEqual([a.headers.location, b.headers.location].sort(), ['/fa/organise/letters/desk/updates?repeat=1', '/fa/organise/letters/desk/updates?sent=1']);
  await t.flushMail();
  const updates = t.mailer.sent.filter((m) => m.template === 'update');
  assert.deepEqual(updates.map((m) => m.to), ['a@example.org'], 'one mail, to the one signer who opted in');
  assert.equal(updates[0]!.headers?.['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
  const after = await owner.get('/fa/organise/letters/desk/updates');
  assert.doesNotMatch(after.body, /نامه به هدف ۲ امضا رسید/, 'the milestone is offered until one is sent');
  assert.match(after.body, /رسیدن به هدف/);
});

test('an update without the default language comes back with the field named; moderators may not send', async () => {
  const page = await owner.get('/en/organise/letters/desk/updates');
  const r = await owner.post('/en/organise/letters/desk/updates', { _csrf: csrfFrom(page.body), key: 'k-1', 'subject.en': 'Only English', 'body.en': 'x' });
  assert.equal(r.statusCode, 400);
  assert.match(r.body, /id="subject\.fa-error"/);
  assert.match(r.body, /Only English/, 'the form comes back filled in');
  const mod = new Browser(t.http);
  await signInOrganiser(t, mod, 'mod@example.org', { lang: 'en' });
  assert.equal((await mod.get('/en/organise/letters/desk/updates')).statusCode, 403);
});

test('the reply form takes a PDF (multipart); the letter page shows the reply under the letter', async () => {
  const page = await owner.get('/fa/organise/letters/desk/updates');
  const form = new FormData();
  form.set('_csrf', csrfFrom(page.body));
  form.set('key', field(page.body, 'key')!);
  form.set('receivedOn', '2026-02-27');
  form.set('texts.fa', 'پاسخ دفتر: نامهٔ شما دریافت شد.');
  form.set('texts.en', 'The office replied: your letter was received.');
  form.set('notify', 'yes');
  form.set('pdf', new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')], { type: 'application/pdf' }), 'reply.pdf');
  const send = async (f: FormData) => {
    const req = new Request('http://x/', { method: 'POST', body: f });
    return t.http.inject({
      method: 'POST', url: '/fa/organise/letters/desk/replies', payload: Buffer.from(await req.arrayBuffer()),
      headers: { 'content-type': req.headers.get('content-type')!, cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'sec-fetch-site': 'same-origin', origin: 'http://test.local' },
    });
  };
  form.set('receivedOn', '2999-01-01');
  const refused = await send(form);
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /id="receivedOn-error"/);
  assert.match(refused.body, /پاسخ دفتر: نامهٔ شما دریافت شد/, 'the reply form comes back filled in');
  form.set('_csrf', csrfFrom(refused.body));
  form.set('receivedOn', '2026-02-27');
  const r = await send(form);
  assert.equal(r.statusCode, 303, r.body);
  assert.equal(r.headers.location, '/fa/organise/letters/desk/updates?replied=1');
  t.clock.advance(3000);
  await new Promise((res) => setTimeout(res, 2100));
  const letter = await t.http.inject({ method: 'GET', url: '/fa/letters/desk' });
  assert.match(letter.body, /<section class="reply"[^>]*>[\s\S]*پاسخ دفتر: نامهٔ شما دریافت شد/);
  assert.match(letter.body, /href="\/letters\/desk\/replies\/reply-[0-9a-f]+\.pdf"/);
});

test('targets in the letter form; the deliver button delivers and the page shows each target\'s status', { timeout: 120_000 }, async () => {
  const edit = await owner.get('/en/organise/letters/desk/edit');
  assert.match(edit.body, /name="targets"/);
  const values: Record<string, string> = {};
  for (const m of edit.body.matchAll(/<input id="([^"]+)" name="([^"]+)" type="[^"]*" value="([^"]*)"/g)) values[m[2]!] = m[3]!.replace(/&amp;/g, '&');
  for (const m of edit.body.matchAll(/<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)<\/textarea>/g)) values[m[1]!] = m[2]!.replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"');
  const bad = await owner.post('/en/organise/letters/desk/edit', { ...values, targets: 'Ilir Meta | President | not-an-address | en', _csrf: csrfFrom(edit.body) });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="targets-error"/);
  const ok = await owner.post('/en/organise/letters/desk/edit', { ...values, targets: 'Ilir Meta | President of Albania | office@president.example | en\nدفتر ریاست جمهوری | | daftar@president.example | fa', _csrf: csrfFrom(edit.body) });
  assert.equal(ok.statusCode, 303, ok.body);
  const letterId = (await t.app.store.letters.bySlug('desk'))!.id;
  const ids = (await t.app.store.deliveries.targets(letterId)).map((x) => x.id);
  assert.equal(ids.length, 2);
  const page = await owner.get('/en/organise/letters/desk/updates');
  assert.match(page.body, /not delivered yet/);
  const d = await owner.post('/en/organise/letters/desk/deliver', { _csrf: csrfFrom(page.body) });
  assert.equal(d.statusCode, 303, d.body);
  assert.equal(d.headers.location, '/en/organise/letters/desk/updates?delivered=2');
  await t.flushMail();
  const shown = await owner.get(d.headers.location as string);
  assert.equal((shown.body.match(/class="status-sent"/g) ?? []).length, 2);
  assert.deepEqual(t.mailer.sent.filter((m) => m.template === 'delivery').map((m) => m.to).sort(), ['daftar@president.example', 'office@president.example']);
  // Saving the form again with the same targets keeps their ids (past deliveries still name them).
  const again = await owner.get('/en/organise/letters/desk/edit');
  assert.match(again.body, /office@president\.example \| en/);
  await owner.post('/en/organise/letters/desk/edit', { ...values, targets: field(again.body, 'targets')!, _csrf: csrfFrom(again.body) });
  assert.deepEqual((await t.app.store.deliveries.targets(letterId)).map((x) => x.id), ids);
});

test('an owner marks a sent delivery as bounced with the bounce text: the desk, the letter page, the API and the audit trail show it', async () => {
  const page = await owner.get('/en/organise/letters/desk/updates');
  assert.equal((page.body.match(/<summary>Mark as bounced<\/summary>/g) ?? []).length, 2, 'each sent delivery has the form');
  const delivery = /name="delivery" value="([^"]+)"/.exec(page.body)![1]!;
  const empty = await owner.post('/en/organise/letters/desk/bounce', { _csrf: csrfFrom(page.body), delivery, bounce: '  ' });
  assert.equal(empty.statusCode, 400);
  assert.match(empty.body, /<details class="bounce" open>[\s\S]*id="bounce-error"/);
  const text = 'Delivery to the following recipient failed permanently:\n\n    office@president.example\n\n550 5.1.1 The email account does not exist.';
  const ok = await owner.post('/en/organise/letters/desk/bounce', { _csrf: csrfFrom(page.body), delivery, bounce: text });
  assert.equal(ok.statusCode, 303, ok.body);
  assert.equal(ok.headers.location, '/en/organise/letters/desk/updates?bounced=1');
  const shown = await owner.get(ok.headers.location as string);
  assert.match(shown.body, /The delivery is marked as bounced\./);
  assert.match(shown.body, /class="status-bounced">bounced: \u2068Delivery to the following recipient failed permanently:/);
  assert.match(shown.body, /<pre dir="ltr">[^<]*550 5\.1\.1 The email account does not exist\./);
  assert.equal((shown.body.match(/<summary>Mark as bounced<\/summary>/g) ?? []).length, 1, 'a bounced delivery has no form any more');
  const again = await owner.post('/en/organise/letters/desk/bounce', { _csrf: csrfFrom(shown.body), delivery, bounce: text });
  assert.equal(again.statusCode, 409, 'bounced already');
  assert.match(again.body, /Only a delivery that was sent can be marked as bounced\./);
  const fa = await owner.get('/fa/organise/letters/desk/updates');
  assert.match(fa.body, /class="status-bounced">برگشت خورد: /);

  const audit = await owner.get('/en/organise/letters/desk/audit');
  assert.match(audit.body, /marked a delivery as bounced/);
  assert.doesNotMatch(audit.body, /does not exist/, 'the trail names the target, not the bounce text');

  await new Promise((r) => setTimeout(r, 2100)); // the public delivery note is read at most every 2 s
  const api = JSON.parse((await t.http.inject({ method: 'GET', url: '/api/v1/letters/desk' })).body) as { delivery: { targets: { name: string; status: string; deliveredAt: string | null }[] } };
  const statuses = Object.fromEntries(api.delivery.targets.map((x) => [x.name, x]));
  assert.equal(statuses['Ilir Meta']!.status, 'bounced');
  assert.equal(statuses['Ilir Meta']!.deliveredAt, null);
  assert.equal(statuses['دفتر ریاست جمهوری']!.status, 'sent');
  const letter = (await t.http.inject({ method: 'GET', url: '/en/letters/desk' })).body;
  assert.match(letter, /The mail to Ilir Meta bounced: not delivered\./);
  assert.doesNotMatch(letter, /does not exist|office@president/);
});

test('the updates page counts who the next update would reach and who unsubscribed', async () => {
  const before = await owner.get('/en/organise/letters/desk/updates');
  assert.match(before.body, /The next update would reach 1 signer\./);
  assert.match(before.body, /0 signers unsubscribed from updates\./);
  const mail = t.mailer.sent.find((m) => m.template === 'update' && m.to === 'a@example.org')!;
  const url = new URL(mail.headers!['List-Unsubscribe']!.slice(1, -1));
  const r = await t.http.inject({ method: 'POST', url: url.pathname + url.search, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.statusCode, 200);
  const after = await owner.get('/en/organise/letters/desk/updates');
  assert.match(after.body, /The next update would reach 0 signers\./);
  assert.match(after.body, /1 signer unsubscribed from updates\./);
  const fa = await owner.get('/fa/organise/letters/desk/updates');
  assert.match(fa.body, /خبر بعدی به ۰ امضاکننده می‌رسد\./);
  assert.match(fa.body, /۱ امضاکننده اشتراک خبرها را لغو کرد\./);
});

test('the organiser API marks a sent delivery as bounced once; moderators may not; an unknown delivery is named', async () => {
  const letterId = (await t.app.store.letters.bySlug('desk'))!.id;
  const sent = (await t.app.store.deliveries.byLetter(letterId)).find((d) => d.status === 'sent')!;
  const ownerToken = (await createApiToken(t.app.deps, 'owner@example.org', { letterSlug: 'desk' })).token;
  const modToken = (await createApiToken(t.app.deps, 'mod@example.org', { letterSlug: 'desk' })).token;
  const bounce = (id: string, token: string, body: unknown = { bounce: '550 5.7.1 Rejected by the recipient\'s policy' }) =>
    t.http.inject({ method: 'POST', url: `/api/v1/organise/letters/desk/deliveries/${encodeURIComponent(id)}/bounce`, payload: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
  assert.equal((await bounce(sent.id, modToken)).statusCode, 403);
  assert.equal((await bounce(sent.id, ownerToken, { bounce: '' })).json().error.code, 'VALIDATION_FAILED');
  const nf = await bounce('delivery:none', ownerToken);
  assert.deepEqual([nf.statusCode, nf.json().error.code], [404, 'DELIVERY_NOT_FOUND']);
  const ok = await bounce(sent.id, ownerToken);
  assert.equal(ok.statusCode, 200, ok.body);
  assert.deepEqual([ok.json().id, ok.json().status], [sent.id, 'bounced']);
  const twice = await bounce(sent.id, ownerToken);
  assert.deepEqual([twice.statusCode, twice.json().error.code], [409, 'DELIVERY_NOT_SENT']);
  assert.equal((await t.app.store.deliveries.byLetter(letterId)).find((d) => d.id === sent.id)!.error, "550 5.7.1 Rejected by the recipient's policy");
});
