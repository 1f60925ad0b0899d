/** The CLI as a script would use it: real processes, exit codes, --help everywhere, --json output. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faEnLetter } from './support/app.ts';
import { COMMANDS } from '../src/cli.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/undersigned.js', ...args], { encoding: 'utf8', env: { ...process.env, UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_BASE_URL: 'https://letters.example.org' } });

test('help lists every command and every command has --help', () => {
  const h = run('--help');
  assert.equal(h.status, 0);
  for (const c of COMMANDS) {
    assert.ok(h.stdout.includes(c.path.join(' ')), c.path.join(' '));
    const one = run(...c.path, '--help');
    assert.equal(one.status, 0, c.path.join(' '));
    assert.match(one.stdout, /Usage: undersigned/);
  }
  const none = run();
  assert.equal(none.status, 2);
  const unknown = run('frobnicate');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
});

test('letter create / list, with clear messages for bad files, and the dev outbox', () => {
  const file = join(dir, 'l.json');
  writeFileSync(file, JSON.stringify(faEnLetter('cli-letter')));
  const c = run('letter', 'create', '--file', file, '--json');
  assert.equal(c.status, 0, c.stderr);
  assert.deepEqual(JSON.parse(c.stdout), { slug: 'cli-letter', state: 'draft', urls: { fa: 'https://letters.example.org/fa/letters/cli-letter', en: 'https://letters.example.org/en/letters/cli-letter' } });
  const l = run('letter', 'list', '--json');
  assert.equal(JSON.parse(l.stdout).letters[0].slug, 'cli-letter');

  writeFileSync(join(dir, 'broken.json'), '{"slug": ');
  const broken = run('letter', 'create', '--file', join(dir, 'broken.json'));
  assert.equal(broken.status, 2);
  assert.match(broken.stderr, /not valid JSON/);
  assert.ok(!broken.stderr.includes('    at '), 'no stack trace');
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ slug: 'x y', versions: [{ lang: 'fa', title: 'T' }] }));
  const bad = run('letter', 'create', '--file', join(dir, 'bad.json'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /slug: INVALID_SLUG/);
  assert.match(bad.stderr, /versions\.0\.body: REQUIRED/);
  const missing = run('letter', 'create');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--file is required/);
  const flag = run('letter', 'list', '--bogus');
  assert.equal(flag.status, 2);

  const empty = run('mail', 'outbox', '--json');
  assert.equal(empty.status, 0, empty.stderr);
  assert.deepEqual(JSON.parse(empty.stdout), { mails: [] });
});

test('a bad setting stops the command with a message naming the variable', () => {
  const r = spawnSync(process.execPath, ['bin/undersigned.js', 'letter', 'list'], { encoding: 'utf8', env: { ...process.env, UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_PORT: 'eighty' } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /UNDERSIGNED_PORT must be a whole number/);
});
