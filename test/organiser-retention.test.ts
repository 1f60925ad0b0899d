/** An organiser sets the personal-data retention of a letter on its log page; bad values come back with an error. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, openLetter, Browser, csrfFrom, tokenFromUrl, type TestApp } from './support/app.ts';

let t: TestApp;
before(async () => {
  t = await testApp();
  await openLetter(t, 'albania', { organisers: ['org@example.org'] });
});
after(() => t.close());

test('retention: set on the letter log page, validated, shown again; others may not', async () => {
  const b = new Browser(t.http);
  await b.post('/en/organise/login', { email: 'org@example.org' }, '/en/organise');
  await t.flushMail();
  const token = tokenFromUrl(t.mailer.sent.filter((m) => m.template === 'login').at(-1)!.text);
  const page = await b.get(`/en/organise/login/complete?token=${token}`);
  await b.post('/en/organise/login/complete', { token, _csrf: csrfFrom(page.body) });
  const edit = await b.get('/en/organise/letters/albania/edit');
  assert.match(edit.body, /href="\/en\/organise\/letters\/albania\/log"/);
  const log = await b.get('/en/organise/letters/albania/log');
  assert.equal(log.statusCode, 200);
  assert.match(log.body, /No signature was withdrawn by its signer/);
  const bad = await b.post('/en/organise/letters/albania/log', { retentionDays: 'soon' }, '/en/organise/letters/albania/log');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /value="soon"/);
  const ok = await b.post('/en/organise/letters/albania/log', { retentionDays: '30' }, '/en/organise/letters/albania/log');
  assert.equal(ok.statusCode, 303);
  assert.match((await b.get('/en/organise/letters/albania/log?saved=1')).body, /value="30"/);
  const letterId = (await t.app.store.letters.bySlug('albania'))!.id;
  assert.deepEqual(await t.app.store.log.retentions(), [{ letterId, days: 30 }]);
  const stranger = new Browser(t.http);
  assert.equal((await stranger.get('/en/organise/letters/albania/log')).statusCode, 303);
});
