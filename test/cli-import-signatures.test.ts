/**
 * `undersigned letter import-signatures` as an operator runs it (real CLI processes), then a real `serve` and
 * `undersigned audit`: the seed letter's signatories are 'imported', a paper sheet's rows 'paper', each named so in its
 * log entry; the API's counts split agrees with the log, the audit passes and counts them; bad rows are printed by
 * line (exit 1, nothing added); --dry-run adds nothing; a repeat is refused. A site that calls a paper signature
 * something else fails the audit (SOURCES_MISMATCH).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { startServe, type Served } from './support/serve.ts';

// shared/ sits beside the checkout (one level further up from a worktree in wt/)
const SEED = [resolve('../shared/fixtures/seed-letter.txt'), resolve('../../shared/fixtures/seed-letter.txt')].find((p) => existsSync(p))!;
let dir: string;
let s: Served | undefined;
const env = () => ({ ...process.env, UNDERSIGNED_DATABASE_URL: '', UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_BASE_URL: 'https://letters.example.org' });
const run = (...args: string[]) => spawnSync(process.execPath, ['bin/undersigned.js', ...args], { encoding: 'utf8', env: env() });

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-paper-cli-'));
  const r = run('import', SEED, '--slug', 'albania', '--organiser', 'owner@example.org', '--publish');
  assert.equal(r.status, 0, r.stderr);
});
after(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('bad rows by line, a dry run, the import with who added it, a repeat refused; the audit passes and counts them', async () => {
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'name,country\nنام درست,IR\n,IR\nName,QQ\n');
  const refused = run('letter', 'import-signatures', 'albania', bad, '--source', 'paper');
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /IMPORT_ROWS_INVALID/);
  assert.match(refused.stderr, /bad\.csv:3: name REQUIRED/);
  assert.match(refused.stderr, /bad\.csv:4: country INVALID_COUNTRY/);

  const sheet = join(dir, 'sheet.csv');
  writeFileSync(sheet, '\uFEFFname,title,country\r\nمریم نصر\u200Cاللهی,,IR\r\nعلي كريمي,,IQ\r\nArta Krasniqi,Journalist,XK\r\n');
  const dry = run('letter', 'import-signatures', 'albania', sheet, '--source', 'paper', '--dry-run', '--json');
  assert.equal(dry.status, 0, dry.stderr);
  assert.equal(JSON.parse(dry.stdout).count, 3);
  assert.equal(run('letter', 'import-signatures', 'albania', sheet, '--source', 'paper', '--by', 'nobody@example.org').status, 1, '--by must organise the letter');
  const done = run('letter', 'import-signatures', 'albania', sheet, '--source', 'paper', '--by', 'owner@example.org', '--json');
  assert.equal(done.status, 0, done.stderr);
  assert.equal(JSON.parse(done.stdout).count, 3);
  const again = run('letter', 'import-signatures', 'albania', sheet, '--source', 'paper');
  assert.equal(again.status, 1);
  assert.match(again.stderr, /ALREADY_IMPORTED/);

  s = await startServe({ UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_BASE_URL: 'https://letters.example.org', UNDERSIGNED_RATE_LIMIT: 'off' });
  const letter = await (await fetch(`${s.url}/api/v1/letters/albania`)).json() as any;
  assert.equal(letter.count, 49);
  assert.deepEqual(letter.counts, { email: 0, paper: 3, imported: 46 });
  const names = ((await (await fetch(`${s.url}/api/v1/letters/albania/signatures?lang=fa&page=1`)).json()) as any).items.map((i: any) => i.name);
  assert.ok(names.includes('مریم نصر\u200Cاللهی') && names.includes('علي كريمي'), 'names as typed');
  const audit = run('audit', s.url, '--letter', 'albania', '--json', '--retries', '3', '--state', join(dir, 'audit-state.json'));
  const report = JSON.parse(audit.stdout);
  assert.equal(audit.status, 0, JSON.stringify(report.problems ?? report).slice(0, 1000));
  const l = report.letters.find((x: any) => x.slug === 'albania');
  assert.equal(l.logCount, 49);
  assert.deepEqual(l.sources, { paper: 3, imported: 46 });
  const page = await (await fetch(`${s.url}/en/letters/albania`)).text();
  assert.match(page, /49 signatures: 3 from paper, 46 imported, not confirmed by email/);
});

test('a site whose count calls a paper signature imported fails the audit', async () => {
  const db = new Database(join(dir, 'undersigned.db'));
  const one = db.prepare("select signature_id from signature_sources where source = 'paper' limit 1").get() as { signature_id: string };
  db.prepare("update signature_sources set source = 'imported' where signature_id = ?").run(one.signature_id);
  db.close();
  await new Promise((r) => setTimeout(r, 2500)); // the count split's cache
  const letter = await (await fetch(`${s!.url}/api/v1/letters/albania`)).json() as any;
  assert.deepEqual(letter.counts, { email: 0, paper: 2, imported: 47 });
  const audit = run('audit', s!.url, '--letter', 'albania', '--json', '--retries', '1', '--state', join(dir, 'audit-state.json'));
  assert.equal(audit.status, 1);
  const report = JSON.parse(audit.stdout);
  assert.ok(report.problems.some((p: any) => p.code === 'SOURCES_MISMATCH' && /paper/.test(p.message)), JSON.stringify(report.problems));
});
