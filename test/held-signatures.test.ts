/**
 * Bots held, people kept (issue 15 items 7–8), through the real HTTP app on SQLite and PostgreSQL:
 * - a household of five behind one address, each solving the proof of work, is counted after confirmation;
 * - a scripted flood from one address (solving the proof of work) is held past the per-address limit;
 * - a scripted bot without proof of work, a disposable address and a filled honeypot are held, not refused;
 * - held signatures are mailed and confirmed as usual, not counted, listed or logged, and the letter page says how
 *   many wait; a replayed solution is held; a flood far past any human rate is refused with 429 and Retry-After;
 * - 20 releases of one held signature at once: one log entry, counted once; a removal keeps its reason in the audit.
 * Every request is answered: counted, held or refused with a message (nothing dropped).
 */
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { testApp, openLetter, Browser, signInOrganiser, csrfFrom, type TestApp } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';
import { decideHeld } from '../src/use-cases/decide-held.ts';
import { eraseBySigner } from '../src/use-cases/erase.ts';
import { createApiToken } from '../src/use-cases/organiser-tokens.ts';
import { addOrganiser } from '../src/use-cases/manage-organisers.ts';

async function solved(t: TestApp): Promise<string> {
  const res = await t.http.inject({ method: 'GET', url: '/api/v1/challenge' });
  assert.equal(res.statusCode, 200, res.body);
  const challenge = res.json();
  const solution = await solveChallenge({ challenge, deriveKey });
  assert.ok(solution, 'the challenge is solvable');
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}

async function signApi(t: TestApp, slug: string, body: Record<string, unknown>, ip = '198.51.100.7') {
  return t.http.inject({ method: 'POST', url: `/api/v1/letters/${slug}/signatures`, payload: { visibility: 'public', lang: 'en', ...body }, remoteAddress: ip });
}

async function confirmAll(t: TestApp, emails: string[]): Promise<string[]> {
  await t.flushMail();
  const statuses: string[] = [];
  for (const e of emails) {
    const res = await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', payload: { token: t.mailer.lastToken(e) } });
    assert.equal(res.statusCode, 200, res.body);
    statuses.push(res.json().status);
  }
  return statuses;
}

async function count(t: TestApp, slug: string): Promise<number> {
  const res = await t.http.inject({ method: 'GET', url: `/api/v1/letters/${slug}/stats` });
  return res.json().count;
}

async function treeSize(t: TestApp): Promise<number> {
  await t.app.drainLog();
  const res = await t.http.inject({ method: 'GET', url: '/log/checkpoint' });
  return Number(res.body.split('\n')[1]);
}

const setups = [{ name: 'SQLite', pg: false }, { name: 'PostgreSQL', pg: true }];

for (const setup of setups) {
  describe(`held signatures on ${setup.name}`, () => {
    let t: TestApp;
    let db: TestDatabase | undefined;
    before(async () => {
      const env: Record<string, string> = { UNDERSIGNED_SCREENING: 'on', UNDERSIGNED_RATE_LIMIT: '100' };
      if (setup.pg) {
        db = await createTestDatabase();
        env.UNDERSIGNED_DATABASE_URL = db.url;
      }
      t = await testApp(env);
    });
    after(async () => {
      await t?.close();
      await db?.drop();
    });

    test('a household of five behind one address, solving the challenge, is counted after confirmation', async () => {
      await openLetter(t, 'household');
      const emails = ['sara@example.org', 'reza@example.net', 'mina@example.com', 'dariush@example.org', 'leila@example.net'];
      for (const [i, email] of emails.entries()) {
        const res = await signApi(t, 'household', { name: `Household ${i}`, email, altcha: await solved(t) }, '203.0.113.9');
        assert.equal(res.statusCode, 202, res.body);
        assert.equal(res.json().held, false, `signer ${i} is not held`);
      }
      assert.deepEqual(await confirmAll(t, emails), ['confirmed', 'confirmed', 'confirmed', 'confirmed', 'confirmed']);
      assert.equal(await count(t, 'household'), 5);
    });

    test('a flood from one address is held past the limit; a bot without proof of work is held; nothing is dropped', async () => {
      await openLetter(t, 'flood');
      const flood = Array.from({ length: 20 }, (_, i) => `flood${i}@example.org`);
      const answers: boolean[] = [];
      for (const email of flood) {
        const res = await signApi(t, 'flood', { name: `Flood Person ${email.slice(5, 7)}`, email, altcha: await solved(t) }, '192.0.2.66');
        assert.equal(res.statusCode, 202, res.body);
        answers.push(res.json().held);
      }
      // The first 8 an hour from one address count as usual (a household); the rest of the flood waits.
      assert.deepEqual(answers, [...Array(8).fill(false), ...Array(12).fill(true)]);
      // A bot: no proof of work, from addresses all over (so no address limit), one of them a disposable domain,
      // one filling the honeypot, one replaying a used solution.
      const used = await solved(t);
      await signApi(t, 'flood', { name: 'Used Once', email: 'once@example.org', altcha: used }, '198.51.100.1');
      const bots = [
        { name: 'Bot One', email: 'bot1@example.org' },
        { name: 'Bot Two', email: 'bot2@mailinator.com', altcha: await solved(t) },
        { name: 'Bot Three', email: 'bot3@example.org', website: 'http://spam.example', altcha: await solved(t) },
        { name: 'Bot Four', email: 'bot4@example.org', altcha: used },
        { name: 'Bot Five', email: 'bot5@example.org', altcha: 'bm90IGEgc29sdXRpb24=' },
      ];
      for (const [i, b] of bots.entries()) {
        const res = await signApi(t, 'flood', b, `198.51.${100 + i}.${20 + i}`);
        assert.equal(res.statusCode, 202, res.body);
        assert.equal(res.json().held, true, `${b.name} is held`);
      }
      const before = await treeSize(t);
      const statuses = await confirmAll(t, [...flood, 'once@example.org', ...bots.map((b) => b.email)]);
      assert.deepEqual(statuses, [...Array(8).fill('confirmed'), ...Array(12).fill('held'), 'confirmed', ...Array(5).fill('held')]);
      assert.equal(await count(t, 'flood'), 9, 'only those not held count');
      assert.equal(await treeSize(t) - before, 9, 'held confirmations write no log entry');
      const list = (await t.http.inject({ method: 'GET', url: '/api/v1/letters/flood/signatures' })).json();
      assert.equal(list.total, 9);
      assert.ok(!list.items.some((x: { name: string }) => x.name.startsWith('Bot')), 'held signatures are not listed');
      // The letter page says how many wait (in English and Persian).
      const en = (await t.http.inject({ method: 'GET', url: '/en/letters/flood' })).body;
      assert.match(en, /17 more signatures wait for a check by the organisers/);
      const fa = (await t.http.inject({ method: 'GET', url: '/fa/letters/flood' })).body;
      assert.match(fa, /۱۷ امضای دیگر چشم‌به‌راه بررسی/);
      // So does the API's letter, with the count (and the OpenAPI document names the field).
      const api = (await t.http.inject({ method: 'GET', url: '/api/v1/letters/flood' })).json();
      assert.equal(api.count, 9);
      assert.equal(api.held, 17);
      const spec = (await t.http.inject('/api/openapi.json')).json();
      assert.equal(spec.paths['/api/v1/letters/{slug}'].get.responses['200'].content['application/json'].schema.properties.held.type, 'integer');
      // The reasons are kept for the organisers.
      const rows = await t.app.deps.store.desk.letterSignatures((await t.app.deps.store.letters.bySlug('flood'))!.id);
      const hold = (email: string) => rows.find((r) => r.email === email)?.hold;
      assert.equal(hold('bot1@example.org'), 'no-proof');
      assert.equal(hold('bot2@mailinator.com'), 'disposable');
      assert.equal(hold('bot3@example.org'), 'honeypot');
      assert.equal(hold('bot4@example.org'), 'no-proof', 'a replayed solution is no proof');
      assert.equal(hold('flood19@example.org'), 'address');
    });

    test('the sign form holds a signing without proof of work (JavaScript off) and says it waits for a check', async () => {
      await openLetter(t, 'nojs');
      const b = new Browser(t.http);
      const res = await b.post('/en/letters/nojs/sign', { name: 'No Script', email: 'noscript@example.org', visibility: 'public', website: '' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/en/letters/nojs/thanks?check=1');
      const thanks = await b.get(String(res.headers.location));
      assert.match(thanks.body, /will wait for a check by the organisers/);
      // The signing pokes the outbox worker, which may have the mail leased while flushMail looks: wait for it.
      let token: string | undefined;
      for (let i = 0; i < 20 && !token; i++) {
        await t.flushMail();
        try {
          token = t.mailer.lastToken('noscript@example.org');
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      assert.ok(token, 'the confirmation mail went out');
      const page = await b.get(`/en/confirm?token=${token}`);
      assert.equal(page.statusCode, 200);
      const done = await b.post('/en/confirm', { token });
      assert.match(done.body, /It waits for a check by the organisers/);
      assert.equal(await count(t, 'nojs'), 0);
    });

    test('a flood far past any human rate is refused with 429 and Retry-After', async () => {
      await openLetter(t, 'refuse');
      const codes: number[] = [];
      let retry: string | undefined;
      for (let i = 0; i < 105; i++) {
        const res = await signApi(t, 'refuse', { name: `Rapid ${i}`, email: `rapid${i}@example.org` }, '192.0.2.200');
        codes.push(res.statusCode);
        if (res.statusCode === 429) {
          retry = String(res.headers['retry-after']);
          assert.equal(res.json().error.code, 'RATE_LIMITED');
        }
      }
      assert.equal(codes.filter((c) => c === 202).length, 100);
      assert.equal(codes.filter((c) => c === 429).length, 5);
      assert.ok(Number(retry) > 0, 'Retry-After is given');
    });

    test('20 releases of one held signature at once: one log entry, counted once; removal keeps its reason', async () => {
      await openLetter(t, 'release');
      for (const email of ['held1@example.org', 'held2@example.org']) await signApi(t, 'release', { name: `Held ${email.slice(4, 5)}`, email }, '198.51.100.50');
      assert.deepEqual(await confirmAll(t, ['held1@example.org', 'held2@example.org']), ['held', 'held']);
      const letter = (await t.app.deps.store.letters.bySlug('release'))!;
      const rows = await t.app.deps.store.desk.letterSignatures(letter.id);
      const id1 = rows.find((r) => r.email === 'held1@example.org')!.id;
      const id2 = rows.find((r) => r.email === 'held2@example.org')!.id;
      const before = await treeSize(t);
      const results = await Promise.all(Array.from({ length: 20 }, () => decideHeld(t.app.deps, 'release', undefined, { decision: 'release', ids: [id1], dryRun: false })));
      assert.equal(results.reduce((n, r) => n + r.count, 0), 1, 'released once');
      assert.equal(await count(t, 'release'), 1);
      assert.equal(await treeSize(t) - before, 1, 'one log entry, at the release');
      // Removal with a reason: never counted, no log entry, the reason in the audit trail.
      const removed = await Promise.all(Array.from({ length: 20 }, () => decideHeld(t.app.deps, 'release', undefined, { decision: 'remove', ids: [id2], reason: 'fraud', dryRun: false })));
      assert.equal(removed.reduce((n, r) => n + r.count, 0), 1);
      assert.equal(await count(t, 'release'), 1);
      assert.equal(await treeSize(t) - before, 1);
      const audit = await t.app.deps.store.desk.audit(letter.id, 10);
      assert.ok(audit.some((e) => e.action === 'remove-held' && e.detail.reason === 'fraud' && e.detail.count === 1));
      assert.ok(audit.some((e) => e.action === 'release' && e.detail.count === 1));
      assert.equal((await t.app.deps.store.signatures.byId(id2))!.status, 'invalidated');
    });

    test('a held signature its signer erases (manage page) is withdrawn: a release finds nothing, nothing counts or logs', async () => {
      await openLetter(t, 'erase-held');
      await signApi(t, 'erase-held', { name: 'Erased Held', email: 'gone@example.org' }, '198.51.100.60');
      assert.deepEqual(await confirmAll(t, ['gone@example.org']), ['held']);
      const mail = [...t.mailer.sent].reverse().find((m) => m.to === 'gone@example.org' && /manage\?token=/.test(m.text))!;
      const manageToken = /manage\?token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
      const letter = (await t.app.deps.store.letters.bySlug('erase-held'))!;
      const id = (await t.app.deps.store.desk.letterSignatures(letter.id)).find((r) => r.email === 'gone@example.org')!.id;
      const before = await treeSize(t);
      await eraseBySigner(t.app.deps, manageToken);
      const erased = (await t.app.deps.store.signatures.byId(id))!;
      assert.equal(erased.status, 'withdrawn');
      assert.equal(erased.name, '');
      const released = await decideHeld(t.app.deps, 'erase-held', undefined, { decision: 'release', ids: [id], dryRun: false });
      assert.equal(released.count, 0, 'nothing to release');
      assert.equal(await count(t, 'erase-held'), 0);
      assert.equal(await treeSize(t) - before, 0, 'no entry for a nameless signature');
    });

    test('organisers see signings by source and release a whole source with a preview', async () => {
      await openLetter(t, 'sources', { organisers: ['org@example.org'] });
      for (let i = 0; i < 3; i++) await signApi(t, 'sources', { name: `Source Person ${'abc'[i]}`, email: `src${i}@example.org`, country: 'IR' }, '198.51.100.77');
      await confirmAll(t, ['src0@example.org', 'src1@example.org', 'src2@example.org']);
      const b = new Browser(t.http);
      await signInOrganiser(t, b, 'org@example.org', { lang: 'en' });
      const page = await b.get('/en/organise/letters/sources/held');
      assert.equal(page.statusCode, 200, page.body);
      assert.match(page.body, /Signings by source/);
      assert.match(page.body, /example\.org/);
      assert.doesNotMatch(page.body, /src0@example\.org/, 'no address on the page');
      assert.doesNotMatch(page.body, /198\.51\.100/, 'no client address on the page');
      const heldTable = (body: string) => body.slice(body.indexOf('<table class="signatures">'));
      assert.match(heldTable(page.body), /example\.org/, 'an owner sees each held signer\'s domain');
      // A moderator sees the held signatures and the sources, not each held signer's domain.
      await addOrganiser(t.app.deps, 'sources', 'mod-sources@example.org', 'moderator', undefined);
      const m = new Browser(t.http);
      await signInOrganiser(t, m, 'mod-sources@example.org', { lang: 'en' });
      const modPage = await m.get('/en/organise/letters/sources/held');
      assert.equal(modPage.statusCode, 200, modPage.body);
      assert.match(modPage.body, /Source Person a/);
      assert.match(modPage.body.slice(0, modPage.body.indexOf('<table class="signatures">')), /example\.org/, 'the aggregate by domain');
      assert.doesNotMatch(heldTable(modPage.body), /example\.org/);
      const preview = await b.post('/en/organise/letters/sources/held', { kind: 'domain', value: 'example.org', decision: 'release', _csrf: csrfFrom(page.body) });
      assert.equal(preview.statusCode, 200);
      assert.match(preview.body, /3 held signatures from this source/);
      assert.equal(await count(t, 'sources'), 0, 'a preview changes nothing');
      const done = await b.post('/en/organise/letters/sources/held', { kind: 'domain', value: 'example.org', decision: 'release', step: 'confirm', expected: '3', _csrf: csrfFrom(preview.body) });
      assert.equal(done.statusCode, 200, done.body);
      assert.equal(await count(t, 'sources'), 3);
    });

    test('the organiser API: sources and held signatures, and removing a whole source (dry run first)', async () => {
      await openLetter(t, 'api-held', { organisers: ['org@example.org'] });
      for (let i = 0; i < 2; i++) await signApi(t, 'api-held', { name: `Api Held ${'ab'[i]}`, email: `apiheld${i}@spam.example` }, '198.51.100.88');
      await confirmAll(t, ['apiheld0@spam.example', 'apiheld1@spam.example']);
      const { token } = await createApiToken(t.app.deps, 'org@example.org', { letterSlug: 'api-held' });
      const auth = { authorization: `Bearer ${token}` };
      const view = (await t.http.inject({ method: 'GET', url: '/api/v1/organise/letters/api-held/held', headers: auth })).json();
      assert.equal(view.heldTotal, 2);
      const domain = view.sources.find((x: { kind: string; value: string }) => x.kind === 'domain' && x.value === 'spam.example');
      assert.equal(domain.held, 2);
      assert.equal(domain.lastHour, 2);
      assert.ok(!JSON.stringify(view).includes('apiheld0@'), 'no address in the answer');
      assert.deepEqual(view.held.map((h: { domain: string | null }) => h.domain), ['spam.example', 'spam.example'], 'an owner sees each held signer\'s domain');
      // A moderator sees the held signatures and the aggregates by source, never which signer is at which domain.
      await addOrganiser(t.app.deps, 'api-held', 'mod@example.org', 'moderator', undefined);
      const modAuth = { authorization: `Bearer ${(await createApiToken(t.app.deps, 'mod@example.org', { letterSlug: 'api-held' })).token}` };
      const modView = (await t.http.inject({ method: 'GET', url: '/api/v1/organise/letters/api-held/held', headers: modAuth })).json();
      assert.equal(modView.heldTotal, 2);
      assert.deepEqual(modView.held.map((h: { domain: string | null }) => h.domain), [null, null]);
      assert.equal(modView.sources.find((x: { kind: string; value: string }) => x.kind === 'domain' && x.value === 'spam.example').held, 2);
      assert.ok(!JSON.stringify(modView.held).includes('spam.example'), 'no domain in a moderator\'s list of held signatures');
      // 20 releases of one of them at once through the API: one is released, the others find nothing left to do.
      const id0 = view.held.find((h: { name: string }) => h.name === 'Api Held a').id;
      const before = await treeSize(t);
      const raced = await Promise.all(Array.from({ length: 20 }, () => t.http.inject({ method: 'POST', url: '/api/v1/organise/letters/api-held/held', headers: auth, payload: { decision: 'release', ids: [id0], dryRun: false } })));
      assert.deepEqual([...new Set(raced.map((r) => r.statusCode))], [200]);
      assert.equal(raced.reduce((n, r) => n + r.json().count, 0), 1);
      assert.equal(await count(t, 'api-held'), 1);
      assert.equal(await treeSize(t) - before, 1);
      const dry = await t.http.inject({ method: 'POST', url: '/api/v1/organise/letters/api-held/held', headers: auth, payload: { decision: 'remove', domain: 'spam.example', reason: 'fraud' } });
      assert.equal(dry.json().dryRun, true);
      assert.equal(dry.json().count, 1);
      const bad = await t.http.inject({ method: 'POST', url: '/api/v1/organise/letters/api-held/held', headers: auth, payload: { decision: 'remove', domain: 'spam.example', dryRun: false } });
      assert.equal(bad.statusCode, 400, 'a removal needs a reason');
      const done = await t.http.inject({ method: 'POST', url: '/api/v1/organise/letters/api-held/held', headers: auth, payload: { decision: 'remove', domain: 'spam.example', reason: 'fraud', dryRun: false } });
      assert.equal(done.json().count, 1);
      assert.equal((await t.http.inject({ method: 'GET', url: '/api/v1/organise/letters/api-held/held', headers: auth })).json().heldTotal, 0);
      assert.equal(await count(t, 'api-held'), 1);
    });
  });
}

for (const setup of setups) {
  describe(`the letter-wide burst on ${setup.name} (a flood rotating IPv6 addresses)`, () => {
    let t: TestApp;
    let db: TestDatabase | undefined;
    before(async () => {
      const env: Record<string, string> = { UNDERSIGNED_SCREENING: 'on', UNDERSIGNED_RATE_LIMIT: '100', UNDERSIGNED_HOLD_LIMITS: 'burst=5,prefix=1000' };
      if (setup.pg) {
        db = await createTestDatabase();
        env.UNDERSIGNED_DATABASE_URL = db.url;
      }
      t = await testApp(env);
    });
    after(async () => {
      await t?.close();
      await db?.drop();
    });

    const ipv6 = (i: number) => `2001:db8:${(i + 1).toString(16)}::1`;

    const holdOf = async (slug: string, name: string) => {
      const letter = (await t.app.deps.store.letters.bySlug(slug))!;
      return (await t.app.deps.store.desk.letterSignatures(letter.id)).find((s) => s.name === name)?.hold ?? '';
    };

    test('posts that fail validation do not count towards the burst; stored ones do', async () => {
      await openLetter(t, 'burst-invalid');
      // Fifty posts from fifty /64s, every one refused by validation (no name): none is stored, none counts.
      for (let i = 0; i < 50; i++) {
        const res = await signApi(t, 'burst-invalid', { name: '', email: `junk${i}@example.net` }, ipv6(i));
        assert.equal(res.statusCode, 400, res.body);
      }
      // Stored signings do count: the sixth and seventh in a minute are past the burst of five, the first five not
      // (each is held anyway, having no proof of work; the burst is a reason of its own).
      const reasons: string[] = [];
      for (let i = 0; i < 7; i++) {
        const name = `Stored ${'abcdefg'[i]}`;
        const res = await signApi(t, 'burst-invalid', { name, email: `stored${i}@example.net` }, ipv6(200 + i));
        assert.equal(res.statusCode, 202, res.body);
        reasons.push(await holdOf('burst-invalid', name));
      }
      assert.deepEqual(reasons.map((r) => r.includes('burst')), [false, false, false, false, false, true, true], reasons.join(' | '));
    });

    test('past the burst, a signing with a valid proof of work is not held; one without is', async () => {
      await openLetter(t, 'burst-proof');
      for (let i = 0; i < 10; i++) {
        const res = await signApi(t, 'burst-proof', { name: `Flood ${i}`, email: `flood${i}@example.net` }, ipv6(300 + i));
        assert.equal(res.statusCode, 202, res.body);
      }
      const real = await signApi(t, 'burst-proof', { name: 'Real Signer', email: 'real@example.org', altcha: await solved(t) }, ipv6(400));
      assert.equal(real.statusCode, 202, real.body);
      assert.equal(real.json().held, false, 'a real signer with a proof of work is not held by the burst');
      const bot = await signApi(t, 'burst-proof', { name: 'Another Flood', email: 'flood-last@example.net' }, ipv6(401));
      assert.equal(bot.json().held, true);
      assert.match(await holdOf('burst-proof', 'Another Flood'), /burst/);
      assert.equal(await holdOf('burst-proof', 'Real Signer'), '');
    });
  });
}
