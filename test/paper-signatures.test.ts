/**
 * Paper and imported signatures through the organiser API of the real app, on SQLite and on PostgreSQL: a dry run
 * checks every row (problems by line with stable codes, nothing added), the commit adds them all or none, names stay
 * exactly as typed (ZWNJ, ي and ك), each is marked with its source and who added it (audit trail), resemblances go
 * to the review queue, each has a `sig` entry naming its source in the log, the public count shows the split, the
 * same rows again are refused, and 20 concurrent imports of one file land once.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, openLetter, type TestApp } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/postgres.ts';
import { createApiToken } from '../src/use-cases/organiser-tokens.ts';
import { signaturesPage } from '../src/use-cases/reads/organiser-signatures.ts';

const ZWNJ_NAME = 'مریم نصر\u200Cاللهی';
const ARABIC_LETTERS = 'علي كريمي'; // Arabic yeh and kaf, as typed on a sheet: kept, never made Persian
const SHEET = [
  'name,name alt,title,country,lang',
  `${ZWNJ_NAME},Maryam Nasrollahi,"Professor, University of Tehran",ir,fa`,
  `${ARABIC_LETTERS},,,iq,fa`,
  '"Zoe ""Z"" Adams",,,gb,en',
  'Ilir Hoxha,,,al,en',
].join('\r\n') + '\r\n';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`paper and imported signatures (${kind})`, () => {
    let t: TestApp;
    let pg: TestDatabase | undefined;
    let owner: string;
    let moderator: string;
    before(async () => {
      const env: Record<string, string> = {};
      if (kind === 'postgres') {
        pg = await createTestDatabase();
        env.UNDERSIGNED_DATABASE_URL = pg.url;
      }
      t = await testApp(env);
      await openLetter(t, 'albania', { organisers: ['owner@example.org', 'mod@example.org'] });
      await t.app.store.desk.setModerator((await t.app.store.letters.bySlug('albania'))!.id, 'mod@example.org', true);
      owner = (await createApiToken(t.app.deps, 'owner@example.org', { letterSlug: 'albania' })).token;
      moderator = (await createApiToken(t.app.deps, 'mod@example.org', { letterSlug: 'albania' })).token;
      // One signature confirmed by email, whom a paper row resembles.
      await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', payload: { name: 'Ilir Hoxha', email: 'ilir@example.org', lang: 'en' } });
      await t.flushMail();
      await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', payload: { token: t.mailer.lastToken('ilir@example.org') } });
    });
    after(async () => {
      await t?.close();
      await pg?.drop();
    });

    const importCsv = (csv: string, q: string, token = owner) =>
      t.http.inject({ method: 'POST', url: `/api/v1/organise/letters/albania/signatures/import?${q}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv; charset=utf-8' }, payload: csv });
    const importJson = (body: unknown, token = owner) =>
      t.http.inject({ method: 'POST', url: '/api/v1/organise/letters/albania/signatures/import', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const letterApi = async () => (await t.http.inject({ method: 'GET', url: '/api/v1/letters/albania' })).json();

    test('bad rows are named by line with a stable code, and nothing is imported', async () => {
      const bad = 'name,title,country\r\nGood Name,,\r\n,,al\r\nBad \u202Ename,,\r\n"Third, Name",,xx\r\nToo,many,al,cells\r\nhttps://spam.example/,,\r\n';
      const dry = await importCsv(bad, 'source=paper');
      assert.equal(dry.statusCode, 200, dry.body);
      const d = dry.json();
      assert.equal(d.dryRun, true);
      assert.equal(d.count, 0);
      assert.deepEqual(d.problems.map((p: any) => [p.line, p.field, p.code]), [
        [3, 'name', 'REQUIRED'], [4, 'name', 'BIDI_CONTROL'], [5, 'country', 'INVALID_COUNTRY'], [6, '', 'EXTRA_CELLS'], [7, 'name', 'HOLDS_ADDRESS'],
      ]);
      const commit = await importCsv(bad, 'source=paper&dryRun=false');
      assert.equal(commit.statusCode, 422);
      assert.equal(commit.json().error.code, 'IMPORT_ROWS_INVALID');
      assert.equal(commit.json().error.problems.length, 5);
      assert.equal(commit.json().error.problems[0].line, 3);
      assert.equal((await letterApi()).count, 1, 'nothing half-imported');
      // File-level refusals
      assert.deepEqual((await importCsv('title\r\nx\r\n', 'source=paper')).json().problems.map((p: any) => p.code), ['NO_NAME_COLUMN']);
      assert.deepEqual((await importCsv('name\r\n"open quote\r\n', 'source=paper')).json().problems.map((p: any) => [p.line, p.code]), [[2, 'UNCLOSED_QUOTE']]);
      assert.deepEqual((await importCsv('name\r\n', 'source=paper')).json().problems.map((p: any) => p.code), ['NO_ROWS']);
      assert.equal((await importCsv(SHEET, 'source=email')).statusCode, 400, 'source is paper or imported');
      assert.equal((await importCsv(SHEET, 'source=paper', moderator)).statusCode, 403, 'owners only');
      assert.equal((await t.http.inject({ method: 'POST', url: '/api/v1/organise/letters/albania/signatures/import?source=paper', headers: { 'content-type': 'text/csv' }, payload: SHEET })).statusCode, 401);
    });

    test('a dry run previews, the commit adds every row as typed, with its source, who added it, and its log entry', async () => {
      const dry = (await importCsv(SHEET, 'source=paper')).json();
      assert.equal(dry.count, 4);
      assert.deepEqual(dry.problems, []);
      assert.equal(dry.duplicates, 1, 'Ilir Hoxha resembles the email signature');
      assert.equal(dry.sample[0].name, ZWNJ_NAME);
      assert.equal((await letterApi()).count, 1, 'a dry run adds nothing');

      const res = await importCsv(SHEET, 'source=paper&dryRun=false');
      assert.equal(res.statusCode, 200, res.body);
      const r = res.json();
      assert.equal(r.count, 4);
      assert.ok(r.duplicates >= 1);
      const l = await letterApi();
      assert.equal(l.count, 5);
      assert.deepEqual(l.counts, { email: 1, paper: 4, imported: 0 });

      const list = (await t.http.inject({ method: 'GET', url: '/api/v1/letters/albania/signatures?lang=fa' })).json();
      const names = list.items.map((i: any) => i.name);
      assert.ok(names.includes(ZWNJ_NAME), 'ZWNJ kept');
      assert.ok(names.includes(ARABIC_LETTERS), 'Arabic ي and ك kept');
      assert.ok(names.includes('Zoe "Z" Adams'));

      const letter = (await t.app.store.letters.bySlug('albania'))!;
      const audit = (await t.app.store.desk.audit(letter.id, 20)).filter((e) => e.action === 'import');
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.actor, 'owner@example.org');
      assert.equal(audit[0]!.detail.source, 'paper');
      assert.equal(audit[0]!.detail.count, 4);
      const sources = await t.app.store.desk.signatureSources(letter.id);
      assert.equal(sources.size, 4);
      assert.ok([...sources.values()].every((x) => x.source === 'paper' && x.addedBy === 'owner@example.org'));

      const reviews = await t.app.store.reviews.list(letter.id, 'open');
      assert.ok(reviews.length >= 1, 'the resemblance waits in the review queue');

      // The desk's source filter
      const paper = await signaturesPage(t.app.deps, 'albania', 'owner@example.org', { source: 'paper' });
      assert.equal(paper.total, 4);
      assert.ok(paper.rows.every((x) => x.source === 'paper'));
      assert.equal((await signaturesPage(t.app.deps, 'albania', 'owner@example.org', { source: 'email' })).total, 1);

      // The log: one sig entry per row, naming its source
      await t.app.sequencer.drain();
      const cp = (await t.http.inject({ method: 'GET', url: '/log/checkpoint' })).body;
      const size = Number(cp.split('\n')[1]);
      const bundle = (await t.http.inject({ method: 'GET', url: `/log/tile/entries/000${size % 256 ? `.p/${size % 256}` : ''}` })).rawPayload.toString('latin1');
      assert.equal(bundle.split('source paper\n').length - 1, 4);
      assert.equal(bundle.split('undersigned/v1 sig\n').length - 1, 5);
    });

    test('the same rows again are refused, and JSON rows work as CSV does', async () => {
      const dry = (await importCsv(SHEET, 'source=paper')).json();
      assert.ok(dry.repeatOf, 'the dry run says the rows were imported before');
      const again = await importCsv(SHEET, 'source=paper&dryRun=false');
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error.code, 'ALREADY_IMPORTED');
      const j = await importJson({ source: 'imported', dryRun: false, rows: [{ name: 'Arta Krasniqi', title: 'Journalist', country: 'XK' }, { name: 'Besa Leka', lang: 'en', visibility: 'hidden' }] });
      assert.equal(j.statusCode, 200, j.body);
      assert.deepEqual((await letterApi()).counts, { email: 1, paper: 4, imported: 2 });
      const bad = await importJson({ source: 'imported', dryRun: false, rows: [{ name: 'Ok' }, { name: 'X', colour: 'red' }, 'no'] });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(bad.json().error.problems.map((p: any) => [p.line, p.field, p.code]), [[2, 'colour', 'UNKNOWN_COLUMN'], [3, '', 'INVALID_TYPE']]);
    });

    test('hostile bodies are refused with a code, never a 500; the OpenAPI document describes the import and the split', async () => {
      for (const body of [[1, 2], { source: 'paper', rows: 'x' }, { source: 'paper', rows: [{ name: { a: 1 } }, { name: 'x'.repeat(151) }, { name: 'ok', country: 7 }] }, { source: 'paper', dryRun: 'no', rows: [] }, { source: 'paper', csv: 5 }, null]) {
        const r = await importJson(body);
        assert.ok(r.statusCode >= 400 && r.statusCode < 500 || r.statusCode === 200, `${JSON.stringify(body)}: ${r.statusCode} ${r.body}`);
        assert.ok(r.json().error?.code || r.json().problems, r.body);
      }
      const deep = await importJson({ source: 'paper', rows: [{ name: { a: 1 } }, { name: 'x'.repeat(151) }, { name: 'ok', country: 7 }] });
      assert.deepEqual(deep.json().problems.map((p: any) => [p.line, p.field, p.code]), [[1, 'name', 'INVALID_TYPE'], [2, 'name', 'TOO_LONG'], [3, 'country', 'INVALID_COUNTRY']]);
      const big = await importCsv('name\r\n' + 'x,'.repeat(10).concat('\r\n').repeat(1_001), 'source=paper');
      assert.ok([200, 413].includes(big.statusCode), String(big.statusCode));
      if (big.statusCode === 200) assert.deepEqual(big.json().problems.map((p: any) => p.code), ['TOO_MANY_ROWS']);
      const huge = await importCsv('name\r\n' + 'y'.repeat(5 * 1024 * 1024), 'source=paper');
      assert.equal(huge.statusCode, 413);
      assert.equal(huge.json().error.code, 'BODY_TOO_LARGE');
      const doc = (await t.http.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      assert.ok(doc.paths['/api/v1/organise/letters/{slug}/signatures/import']?.post, 'the import is in OpenAPI');
      const letterSchema = doc.paths['/api/v1/letters/{slug}'].get.responses['200'].content['application/json'].schema;
      assert.deepEqual(Object.keys(letterSchema.properties.counts.properties), ['email', 'paper', 'imported']);
    });

    test('20 concurrent imports of the same file: one lands, the others are refused, the count grows once', async () => {
      const csv = 'name\r\n' + Array.from({ length: 30 }, (_, i) => `Race Signer ${i + 1}`).join('\r\n') + '\r\n';
      const before = (await letterApi()).count;
      const results = await Promise.all(Array.from({ length: 20 }, () => importCsv(csv, 'source=paper&dryRun=false')));
      const codes = results.map((r) => r.statusCode).sort();
      assert.equal(codes.filter((c) => c === 200).length, 1, JSON.stringify(results.map((r) => r.body.slice(0, 200))));
      assert.equal(codes.filter((c) => c === 409).length, 19);
      assert.ok(results.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'ALREADY_IMPORTED'));
      const letter = (await t.app.store.letters.bySlug('albania'))!;
      await new Promise((r) => setTimeout(r, 2100)); // the count cache
      assert.equal((await letterApi()).count, before + 30);
      assert.equal((await t.app.store.desk.audit(letter.id, 50)).filter((e) => e.action === 'import').length, 3);
    });
  });
}
