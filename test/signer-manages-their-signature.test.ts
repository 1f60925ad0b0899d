/**
 * A signer in charge of their data, through the "manage my signature" link of their mails (issue 16 item 5), on
 * SQLite and PostgreSQL: every mail to a signer carries its own manage link (a token of its own, stored hashed); the
 * page shows what is stored, GET changes nothing; the visibility change raced 20 at once lands once; the data
 * downloads as JSON; erasure withdraws (a `withdraw` entry), deletes the personal data and the links, and the log
 * still verifies. Receipt and withdrawal tokens open no manage action; a form from another site changes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mailboxKeyOf } from '../src/core/signatures/mailbox.ts';
import { testApp, openLetter, Browser, type TestApp } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';
import { verifyOverHttp } from './support/log.ts';
import { decodeEntry, entriesPath } from '../src/core/log/index.ts';
import { withManageLink } from '../src/use-cases/steps/mail.ts';

const SLUG = 'albania';
const tokenOf = (text: string, path: string) => text.match(new RegExp(`http://test\\.local(/[a-z]+/${path}\\?token=([A-Za-z0-9_-]+))`))?.slice(1) as [string, string] | undefined;

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`the signer manages their signature (${dialect})`, { timeout: 120_000 }, () => {
    let t: TestApp;
    let b: Browser;
    let db: TestDatabase | undefined;
    let manage = '';
    let manageToken = '';

    before(async () => {
      if (dialect === 'postgres') db = await createTestDatabase();
      t = await testApp(db ? { UNDERSIGNED_DATABASE_URL: db.url } : {});
      await openLetter(t);
      b = new Browser(t.http);
    });
    after(async () => {
      await t?.close();
      await db?.drop();
    });

    /**
     * The n-th mail of a template to an address. On PostgreSQL the app also wakes its outbox worker when mail is
     * queued, which may be sending the mail while flushMail finds nothing left to claim: wait for it.
     */
    const mailed = async (template: string, to: string, nth: number) => {
      for (let i = 0; i < 100; i++) {
        await t.flushMail();
        const m = t.mailer.sent.filter((x) => x.template === template && x.to.toLowerCase() === to)[nth - 1];
        if (m) return m;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no ${template} mail #${nth} to ${to}`);
    };
    const count = async () => (await t.http.inject(`/api/v1/letters/${SLUG}`)).json().count as number;
    const listNames = async () => ((await t.http.inject(`/api/v1/letters/${SLUG}/signatures?lang=en`)).json().items as { name: string }[]).map((i) => i.name);
    const openingsNames = async () => {
      const size = Number((await t.http.inject('/log/checkpoint')).body.split('\n')[1]);
      const r = await t.http.inject('/log/openings/' + entriesPath(0, Math.min(256, size)).slice('tile/entries/'.length));
      assert.equal(r.statusCode, 200, r.body);
      return (r.json().names as [number, string, string][]).map((n) => n[1]);
    };

    test('the confirmation mail carries a manage link with its own token; the page shows what is stored, in the signer\'s language', async () => {
      const s = await b.post(`/fa/letters/${SLUG}/sign`, { name: 'مریم رضایی', nameAlt: 'Maryam Rezaei', title: 'پزشک', country: 'IR', email: 'Maryam@example.org', visibility: 'public', lang: 'fa' }, `/fa/letters/${SLUG}`);
      assert.equal(s.statusCode, 303, s.body);
      const mail = await mailed('confirm', 'maryam@example.org', 1);
      const m = tokenOf(mail.text, 'manage');
      assert.ok(m, mail.text);
      [manage, manageToken] = m;
      const withdrawToken = tokenOf(mail.text, 'withdraw')![1];
      const confirmToken = t.mailer.lastToken('maryam@example.org');
      assert.equal(new Set([manageToken, withdrawToken, confirmToken]).size, 3, 'three different tokens');
      // Only the hash is stored.
      assert.equal((await t.app.deps.store.log.signerToken(t.app.deps.secrets.hashToken(manageToken)))?.purpose, 'manage');
      assert.equal(await t.app.deps.store.log.signerToken(manageToken), undefined);

      const page = await b.get(manage);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<html lang="fa" dir="rtl">/);
      assert.match(page.body, /<bdi>مریم رضایی<\/bdi>/);
      assert.match(page.body, /<bdi>Maryam Rezaei<\/bdi>/);
      assert.match(page.body, /<bdi dir="ltr">Maryam@example\.org<\/bdi>/);
      assert.match(page.body, /هنوز تأیید نشده/);
      assert.match(page.body, /<meta name="robots" content="noindex">/);
      assert.match(String(page.headers['cache-control']), /no-store/);
      // The language switcher: the same page, the same token, in another language.
      assert.ok(page.body.includes(`href="/en/manage?token=${manageToken}"`));
      const en = await b.get(`/en/manage?token=${manageToken}`);
      assert.match(en.body, /<html lang="en" dir="ltr">/);
      assert.match(en.body, /Manage your signature/);
      assert.match(en.body, /Not confirmed yet/);

      const c = await b.post('/fa/confirm', { token: confirmToken }, `/fa/confirm?token=${confirmToken}`);
      assert.equal(c.statusCode, 200);
      await t.app.sequencer.drain();
      const after = await b.get(`/en/manage?token=${manageToken}`);
      assert.match(after.body, /Confirmed, counted/);
      assert.match(after.body, /Signature — entry 2 ·/);
      assert.equal(await count(), 1);
    });

    test('the "already signed" mail carries a fresh manage link too', async () => {
      const s = await b.post(`/en/letters/${SLUG}/sign`, { name: 'Maryam', email: 'maryam@example.org', visibility: 'public', lang: 'en' }, `/en/letters/${SLUG}`);
      assert.equal(s.statusCode, 303);
      const mail = await mailed('already-signed', 'maryam@example.org', 1);
      const m = tokenOf(mail.text, 'manage');
      assert.ok(m, mail.text);
      assert.notEqual(m[1], manageToken);
      assert.equal((await b.get(m[0])).statusCode, 200);
    });

    test('withManageLink adds a working manage link to any other mail to a signer, in the mail\'s language', async () => {
      const letterId = (await t.app.deps.store.letters.bySlug(SLUG))!.id;
      const sig = (await t.app.deps.store.signatures.byEmail(letterId, mailboxKeyOf('maryam@example.org')))!;
      const mail = await t.app.deps.store.transaction((tx) => withManageLink(tx, t.app.deps, sig, { subject: 'خبر', text: 'سلام\n', lang: 'fa', template: 'update' }));
      assert.ok(mail.text.startsWith('سلام\n\nبرای دیدن آنچه از شما نگه می‌داریم'), mail.text);
      const [path, token] = tokenOf(mail.text, 'manage')!;
      assert.ok(path.startsWith('/fa/manage?token='), 'the link is in the signature\'s language');
      assert.notEqual(token, manageToken);
      assert.equal((await b.get(path)).statusCode, 200);
      // Two values for the token, or none: the invalid-link page, never a 500.
      assert.equal((await b.get(`/en/manage?token=${token}&token=${token}`)).statusCode, 404);
      assert.equal((await b.get('/en/manage')).statusCode, 404);
    });

    test('receipt and withdrawal tokens open no manage page or action; unknown tokens neither', async () => {
      const mail = t.mailer.sent.find((m) => m.template === 'confirm' && m.to.toLowerCase() === 'maryam@example.org')!;
      const withdrawToken = tokenOf(mail.text, 'withdraw')![1];
      for (const token of [withdrawToken, 'x'.repeat(43), '']) {
        assert.equal((await b.get(`/en/manage?token=${token}`)).statusCode, 404);
        for (const action of ['visibility', 'withdraw', 'export', 'erase']) {
          const r = await b.post(`/en/manage/${action}`, { token, visibility: 'hidden' });
          assert.equal(r.statusCode, 404, `${action} with a non-manage token`);
        }
      }
      assert.equal(await count(), 1);
      assert.deepEqual(await listNames(), ['مریم رضایی']);
    });

    test('a visibility change from another site is refused and changes nothing', async () => {
      const r = await b.post('/en/manage/visibility', { token: manageToken, visibility: 'hidden' }, undefined, { secFetchSite: 'cross-site', origin: 'https://evil.example' });
      assert.equal(r.statusCode, 403);
      assert.match(r.body, /sent from another website, so nothing was done/);
      assert.match(r.body, /Manage your signature/);
      assert.deepEqual(await listNames(), ['مریم رضایی']);
    });

    test('20 visibility changes at once: one lands, the others answer as a repeat; the list and the openings follow; the count stays', async () => {
      const rs = await Promise.all(Array.from({ length: 20 }, () => b.post('/en/manage/visibility', { token: manageToken, visibility: 'hidden' })));
      for (const r of rs) assert.equal(r.statusCode, 303, r.body);
      const dones = rs.map((r) => new URL(String(r.headers.location), 'http://x').searchParams.get('done'));
      assert.equal(dones.filter((d) => d === 'hidden').length, 1, dones.join());
      assert.equal(dones.filter((d) => d === 'unchanged').length, 19);
      assert.equal(await count(), 1);
      assert.deepEqual(await listNames(), []);
      assert.deepEqual(await openingsNames(), []);
      const page = await b.get(String(rs[0]!.headers.location));
      assert.match(page.body, /Nothing changed|Saved: your name is hidden/);
      assert.match(page.body, /Hidden \(counted, never shown\)/);
      // And back, again 20 at once.
      const back = await Promise.all(Array.from({ length: 20 }, () => b.post('/en/manage/visibility', { token: manageToken, visibility: 'public' })));
      assert.equal(back.filter((r) => String(r.headers.location).endsWith('done=public')).length, 1);
      assert.deepEqual(await listNames(), ['مریم رضایی']);
      assert.deepEqual(await openingsNames(), ['مریم رضایی']);
      const bad = await b.post('/en/manage/visibility', { token: manageToken, visibility: 'everyone' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /Choose one of the options/);
      await verifyOverHttp(t.http);
    });

    test('the data downloads as JSON: every stored field, dates, log entries, openings; no token', async () => {
      const r = await b.post('/en/manage/export', { token: manageToken });
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers['content-disposition']), /attachment; filename="undersigned-albania-my-data\.json"/);
      assert.match(String(r.headers['cache-control']), /no-store/);
      const d = r.json();
      assert.equal(d.format, 'undersigned-signer-data/v1');
      assert.deepEqual(
        { name: d.signature.name, nameAlt: d.signature.nameAlt, title: d.signature.title, country: d.signature.country, email: d.signature.email, visibility: d.signature.visibility, status: d.signature.status },
        { name: 'مریم رضایی', nameAlt: 'Maryam Rezaei', title: 'پزشک', country: 'IR', email: 'Maryam@example.org', visibility: 'public', status: 'confirmed' },
      );
      assert.ok(d.signature.confirmedAt && d.signature.createdAt);
      assert.deepEqual(d.log.entries.map((e: { type: string; index: number }) => [e.type, e.index]), [['sig', 2]]);
      assert.equal(d.letter.slug, SLUG);
      assert.equal(typeof d.log.contactOpening, 'string');
      assert.ok(!r.body.includes(manageToken));
      assert.doesNotMatch(r.body, /token/i);
      // GET does not download (the token stays out of logs and caches of a URL with an action).
      assert.equal((await b.get(`/en/manage/export?token=${manageToken}`)).statusCode, 404);
    });

    test('withdrawal from the manage page: one POST, the count drops, the page says so; the name can no longer be shown', async () => {
      const r = await t.http.inject({ method: 'POST', url: `/api/v1/letters/${SLUG}/signatures`, payload: { name: 'Zoe Adams', email: 'zoe@example.org', lang: 'en', visibility: 'public' } });
      assert.equal(r.statusCode, 202);
      const mail = await mailed('confirm', 'zoe@example.org', 1);
      const [path, zoe] = tokenOf(mail.text, 'manage')!;
      const c = await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', payload: { token: t.mailer.lastToken('zoe@example.org') } });
      assert.equal(c.statusCode, 200);
      assert.equal(await count(), 2);
      assert.equal((await b.get(path)).statusCode, 200, 'GET changes nothing');
      assert.equal(await count(), 2);
      const w = await b.post('/en/manage/withdraw', { token: zoe });
      assert.equal(w.statusCode, 303);
      assert.match(String(w.headers.location), /done=withdrawn$/);
      assert.equal(await count(), 1);
      const page = await b.get(String(w.headers.location));
      assert.match(page.body, /Your signature is withdrawn/);
      assert.match(page.body, /<dd>Withdrawn<\/dd>/);
      assert.doesNotMatch(page.body, /action="\/en\/manage\/visibility"/);
      const v = await b.post('/en/manage/visibility', { token: zoe, visibility: 'hidden' });
      assert.equal(v.statusCode, 409);
      assert.match(v.body, /it is on no list/);
      // Withdrawing again answers as a repeat: no second entry.
      assert.equal((await b.post('/en/manage/withdraw', { token: zoe })).statusCode, 303);
      assert.equal((await t.http.inject(`/api/v1/letters/${SLUG}`)).json().removals.withdrawn, 1);
    });

    test('erasure: the GET page asks and changes nothing; the POST withdraws, erases, ends the links; the log still verifies', async () => {
      const ask = await b.get(`/en/manage/erase?token=${manageToken}`);
      assert.equal(ask.statusCode, 200);
      assert.match(ask.body, /Erase your personal data\?/);
      assert.match(ask.body, /What stays public/);
      assert.match(ask.body, /<form method="post" action="\/en\/manage\/erase">/);
      assert.equal(await count(), 1);
      const forged = await b.post('/en/manage/erase', { token: manageToken }, undefined, { secFetchSite: 'cross-site', origin: 'https://evil.example' });
      assert.equal(forged.statusCode, 403);
      assert.match(forged.body, /Erase your personal data\?/);
      assert.equal(await count(), 1);

      const letterId = (await t.app.deps.store.letters.bySlug(SLUG))!.id;
      const id = (await t.app.deps.store.signatures.byEmail(letterId, mailboxKeyOf('Maryam@Example.org')))!.id;
      const r = await b.post('/en/manage/erase', { token: manageToken });
      assert.equal(r.statusCode, 200);
      assert.match(r.body, /Your data is erased/);
      assert.equal(await count(), 0);
      assert.deepEqual(await listNames(), []);
      // The manage link (and every other link of the signer) stops working.
      assert.equal((await b.get(manage)).statusCode, 404);
      assert.match((await b.get(`/en/manage?token=${manageToken}`)).body, /nothing left to show/);
      await t.app.sequencer.drain();
      const { all } = await verifyOverHttp(t.http);
      const kinds = all.map((e) => decodeEntry(e.bytes).type);
      assert.deepEqual(kinds.filter((k) => k === 'withdraw').length, 2);
      const letter = (await t.http.inject(`/api/v1/letters/${SLUG}`)).json();
      assert.equal(letter.removals.withdrawn, 2, 'Zoe\'s withdrawal and the erasure\'s');
      // Nothing of the person is left in the private database either: no email, names, openings or mail.
      const sig = (await t.app.deps.store.signatures.byId(id))!;
      assert.deepEqual({ email: sig.email, name: sig.name, nameAlt: sig.nameAlt, title: sig.title, country: sig.country, status: sig.status }, { email: '', name: '', nameAlt: undefined, title: undefined, country: undefined, status: 'withdrawn' });
      assert.equal(await t.app.deps.store.signatures.byEmail(letterId, mailboxKeyOf('Maryam@Example.org')), undefined);
      const log = await t.app.deps.store.log.signatureLog(id);
      assert.ok(log?.erasedAt && !log.nameOpening && !log.contactOpening);
    });
  });
}
