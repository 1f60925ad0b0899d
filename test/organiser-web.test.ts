/** An organiser signs in by emailed link (no password), creates a fa+en letter, publishes, edits after signatures, closes. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, Browser, csrfFrom, signInOrganiser, type TestApp } from './support/app.ts';

let t: TestApp;
before(async () => {
  t = await testApp();
});
after(() => t.close());

async function signIn(b: Browser, email: string) {
  return signInOrganiser(t, b, email, {
    onLoginPage: (body) => assert.match(body, /پیوندی در راه است/),
    onLinkOpened: async (token) =>
      assert.equal(await t.app.store.auth.loginToken(t.app.deps.secrets.hashToken(token)).then((x) => x?.usedAt), undefined, 'GET spends nothing'),
  });
}

test('sign in, create, publish, edit after a confirmation (new text version), close', async () => {
  const b = new Browser(t.http);
  const token = await signIn(b, 'Organiser@Example.org');
  // The link works once.
  const other = new Browser(t.http);
  const reuse = await other.post('/fa/organise/login/complete', { token }, '/fa/organise');
  assert.equal(reuse.statusCode, 400);

  const dash = await b.get('/fa/organise');
  assert.match(dash.body, /نامه‌های شما/);
  const bad = await b.post('/fa/organise/new', { slug: 'Bad Slug', 'addressee.name': '', 'versions.0.lang': 'fa', 'versions.0.title': 'عنوان' }, '/fa/organise/new');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /value="Bad Slug"/, 'form comes back filled in');
  assert.match(bad.body, /id="slug-error"/);
  assert.match(bad.body, /id="versions.0.body-error"/);

  const created = await b.post('/fa/organise/new', {
    slug: 'tehran-letter', 'addressee.name': 'شهردار تهران', defaultLang: 'fa', goal: '500',
    'versions.0.lang': 'fa', 'versions.0.title': 'نامه به شهردار', 'versions.0.body': 'متن نامه', 'versions.0.addressee.name': 'شهردار تهران',
    'versions.1.lang': 'en', 'versions.1.title': 'Letter to the mayor', 'versions.1.body': 'The text', 'versions.1.addressee.name': 'Mayor of Tehran',
  }, '/fa/organise/new');
  assert.equal(created.statusCode, 303, created.body.slice(0, 500));
  assert.deepEqual((await t.app.store.letters.bySlug('tehran-letter'))?.versions.map((v) => v.addressee?.name), ['شهردار تهران', 'Mayor of Tehran']);
  // Drafts: visible to the organiser, not to the public.
  assert.equal((await b.get('/fa/letters/tehran-letter')).statusCode, 200);
  assert.equal((await new Browser(t.http).get('/fa/letters/tehran-letter')).statusCode, 404);

  const pub = await b.post('/fa/organise/letters/tehran-letter/state', { to: 'open' }, '/fa/organise');
  assert.equal(pub.statusCode, 303);
  assert.equal((await t.app.store.letters.bySlug('tehran-letter'))?.state, 'open');

  // Someone signs and confirms: the text freezes.
  const s = new Browser(t.http);
  await s.post('/en/letters/tehran-letter/sign', { name: 'Signer One', email: 's1@example.org' }, '/en/letters/tehran-letter');
  await t.flushMail();
  await s.post('/en/confirm', { token: t.mailer.lastToken('s1@example.org') }, '/en/letters/tehran-letter');
  const sig1 = await t.app.store.signatures.byEmail((await t.app.store.letters.bySlug('tehran-letter'))!.id, 's1@example.org');
  assert.equal(sig1?.textVersion, 1);

  const edit = await b.get('/fa/organise/letters/tehran-letter/edit');
  assert.match(edit.body, /نسخهٔ تازه‌ای می‌سازد/);
  await b.post('/fa/organise/letters/tehran-letter/edit', {
    _csrf: csrfFrom(edit.body), slug: 'tehran-letter', 'addressee.name': 'شهردار تهران', defaultLang: 'fa', goal: '500',
    'versions.0.lang': 'fa', 'versions.0.title': 'نامه به شهردار', 'versions.0.body': 'متن نامه، ویراسته',
    'versions.1.lang': 'en', 'versions.1.title': 'Letter to the mayor', 'versions.1.body': 'The text, edited',
  });
  const after = (await t.app.store.letters.bySlug('tehran-letter'))!;
  assert.equal(after.textVersion, 2);
  assert.equal(after.versions.find((v) => v.lang === 'en')?.body, 'The text, edited');
  assert.equal((await t.app.store.signatures.byId(sig1!.id))?.textVersion, 1, 'the signature keeps the text it signed');

  await s.post('/en/letters/tehran-letter/sign', { name: 'Signer Two', email: 's2@example.org' }, '/en/letters/tehran-letter');
  await t.flushMail();
  await s.post('/en/confirm', { token: t.mailer.lastToken('s2@example.org') }, '/en/letters/tehran-letter');
  assert.equal((await t.app.store.signatures.byEmail(after.id, 's2@example.org'))?.textVersion, 2);

  await b.post('/fa/organise/letters/tehran-letter/state', { to: 'closed' }, '/fa/organise');
  assert.equal((await t.app.store.letters.bySlug('tehran-letter'))?.state, 'closed');
});

test('another organiser cannot edit a letter that is not theirs; signed-out users are sent to sign in', async () => {
  const mallory = new Browser(t.http);
  await signIn(mallory, 'mallory@example.org');
  const res = await mallory.get('/fa/organise/letters/tehran-letter/edit');
  assert.equal(res.statusCode, 403);
  const post = await mallory.post('/fa/organise/letters/tehran-letter/state', { to: 'open' }, '/fa/organise');
  assert.equal(post.statusCode, 403);
  const anon = await new Browser(t.http).get('/fa/organise/new');
  assert.equal(anon.statusCode, 303);
});

test('organiser forms need both: a post from another site is refused even with a valid token, and a post without the token too; the form comes back filled in', async () => {
  const b = new Browser(t.http);
  await signIn(b, 'Organiser@Example.org');
  const edit = await b.get('/en/organise/letters/tehran-letter/edit');
  const form = {
    _csrf: csrfFrom(edit.body), slug: 'tehran-letter', 'addressee.name': 'شهردار تهران', defaultLang: 'fa', goal: '500',
    'versions.0.lang': 'fa', 'versions.0.title': 'نامه به شهردار', 'versions.0.body': 'متن بلندی که نباید از دست برود',
    'versions.1.lang': 'en', 'versions.1.title': 'Letter to the mayor', 'versions.1.body': 'A long text that must not be lost',
  };
  const before = (await t.app.store.letters.bySlug('tehran-letter'))!;
  const forged = await b.post('/en/organise/letters/tehran-letter/edit', form, undefined, { secFetchSite: 'cross-site', origin: 'https://evil.example' });
  assert.equal(forged.statusCode, 403);
  assert.match(forged.body, /sent from another website, so nothing was done/);
  assert.match(forged.body, /A long text that must not be lost<\/textarea>/);
  assert.match(forged.body, /متن بلندی که نباید از دست برود<\/textarea>/);
  const noToken = await b.post('/en/organise/letters/tehran-letter/edit', { ...form, _csrf: 'forged' });
  assert.equal(noToken.statusCode, 403);
  assert.match(noToken.body, /This form has expired/);
  assert.match(noToken.body, /A long text that must not be lost<\/textarea>/);
  assert.match(noToken.body, /name="_csrf" value="[^"]+"/, 'a fresh token to send it again with');
  const state = await b.post('/en/organise/letters/tehran-letter/state', { to: 'open', _csrf: csrfFrom((await b.get('/en/organise')).body) }, undefined, { origin: 'https://evil.example' });
  assert.equal(state.statusCode, 403);
  const afterAll = (await t.app.store.letters.bySlug('tehran-letter'))!;
  assert.equal(afterAll.textVersion, before.textVersion, 'nothing changed');
  assert.equal(afterAll.state, before.state);
});
