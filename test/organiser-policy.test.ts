/**
 * Who may organise (UNDERSIGNED_ORGANISERS): a list of addresses and @domains refuses others and says why; under
 * `approval` a first attempt is recorded and waits for an instance admin; admins always may.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, Browser, signInOrganiser, csrfFrom, type TestApp } from './support/app.ts';
import { addAdmin, approveOrganiser, revokeOrganiser } from '../src/use-cases/instance-admins.ts';

const apps: TestApp[] = [];
after(async () => {
  for (const a of apps) await a.close();
});

const letterForm = (slug: string, csrf: string) => ({
  _csrf: csrf, slug, 'addressee.name': 'The council', defaultLang: 'en', 'versions.0.lang': 'en', 'versions.0.title': 'Keep it open', 'versions.0.body': 'Text',
});

test('a list of emails and @domains: others are told why, before and when they post; admins may', async () => {
  const t = await testApp({ UNDERSIGNED_ORGANISERS: 'maryam@example.org, @ngo.example' });
  apps.push(t);
  for (const [email, allowed] of [['maryam@example.org', true], ['zoe@ngo.example', true], ['eve@example.org', false]] as const) {
    const b = new Browser(t.http);
    await signInOrganiser(t, b, email, { lang: 'en' });
    const page = await b.get('/en/organise/new');
    assert.equal(page.statusCode, allowed ? 200 : 403, email);
    if (!allowed) {
      assert.match(page.body, /lets only the addresses its operator chose create letters/);
      const fa = await b.get('/fa/organise/new');
      assert.match(fa.body, /فقط نشانی‌هایی که گرداننده برگزیده است/);
      const dash = await b.get('/en/organise');
      const posted = await b.post('/en/organise/new', letterForm('eve-letter', csrfFrom(dash.body)), '/en/organise/new');
      assert.equal(posted.statusCode, 403);
      assert.equal(await t.app.store.letters.bySlug('eve-letter'), undefined);
      await addAdmin(t.app.deps, email);
      assert.equal((await b.get('/en/organise/new')).statusCode, 200, 'an admin may');
    }
  }
});

test('approval: the first attempt is recorded as pending; approved may; revoked may not', async () => {
  const t = await testApp({ UNDERSIGNED_ORGANISERS: 'approval' });
  apps.push(t);
  const b = new Browser(t.http);
  await signInOrganiser(t, b, 'new@example.org', { lang: 'en' });
  const first = await b.get('/en/organise/new');
  assert.equal(first.statusCode, 403);
  assert.match(first.body, /Your request is recorded and waiting/);
  assert.equal((await t.app.store.desk.approval('new@example.org'))?.status, 'pending');
  assert.equal(await approveOrganiser(t.app.deps, 'new@example.org'), true);
  assert.equal(await approveOrganiser(t.app.deps, 'new@example.org'), false, 'a repeat');
  assert.equal((await b.get('/en/organise/new')).statusCode, 200);
  assert.equal(await revokeOrganiser(t.app.deps, 'new@example.org'), true);
  const revoked = await b.get('/en/organise/new');
  assert.equal(revoked.statusCode, 403);
  assert.match(revoked.body, /lets only the addresses its operator chose|withdrew/);
});
