/**
 * The organiser's desk from the command line, as real processes: the seed letter imports with no flags (46
 * signatures, the salutation kept, the addressee one clean line, titles from the text), `--organiser` makes an owner
 * and `letter publish` opens it; organisers and their roles, the last owner, instance admins and approvals.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServe } from './support/serve.ts';

const SEED = resolve('../shared/fixtures/seed-letter.txt');
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-cli-desk-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/undersigned.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, UNDERSIGNED_DATABASE_URL: '', UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_BASE_URL: 'https://letters.example.org', ...env },
  });
const json = (r: ReturnType<typeof run>) => {
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};

test('the seed letter imports with no flags: 46 signatures, salutation kept, addressee one line, titles from the text', async () => {
  const r = run(['import', SEED]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Draft letter created \(draft\): imported-seed-letter with 46 signatories/);
  assert.match(r.stdout, /has no heading; its title was taken from its text/);
  const letters = json(run(['letter', 'list', '--json'])).letters;
  assert.deepEqual(letters.map((l: { slug: string; state: string; count: number }) => [l.slug, l.state, l.count]), [['imported-seed-letter', 'draft', 46]]);

  // What the draft holds, read through the server's organiser view after publishing below; here: the public API
  // answers 404 for a draft.
  const s = await startServe({ UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_BASE_URL: 'https://letters.example.org' });
  try {
    assert.equal((await fetch(`${s.url}/api/v1/letters/imported-seed-letter`)).status, 404);
  } finally {
    await s.stop();
  }
});

test('--organiser makes the owner, letter publish opens it with 46 signatures; titles and addressee as the text has them', async () => {
  const r = json(run(['import', SEED, '--slug', 'albania', '--organiser', 'Maryam@Example.org', '--json']));
  assert.equal(r.draft.people, 46);
  assert.equal(r.draft.state, 'draft');
  assert.deepEqual(json(run(['letter', 'organisers', 'list', 'albania', '--json'])).organisers, [{ email: 'maryam@example.org', role: 'owner' }]);
  assert.deepEqual(json(run(['letter', 'publish', 'albania', '--json'])), { slug: 'albania', state: 'open' });
  const again = run(['letter', 'publish', 'albania']);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /LETTER_ILLEGAL_TRANSITION/);

  const s = await startServe({ UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_BASE_URL: 'https://letters.example.org' });
  try {
    const letter = (await (await fetch(`${s.url}/api/v1/letters/albania`)).json()) as any;
    assert.equal(letter.state, 'open');
    assert.equal(letter.count ?? letter.stats?.count ?? letter.signatures, 46, JSON.stringify(letter).slice(0, 400));
    const en = letter.versions.find((v: { lang: string }) => v.lang === 'en');
    const fa = letter.versions.find((v: { lang: string }) => v.lang === 'fa');
    assert.equal(fa.title, 'نامۀ 48 نفر از جداشدگان سازمان مجاهدین به رئیس جمهور آلبانی');
    assert.notEqual(en.title, 'en');
    assert.match(en.title, /Former MKO Members/);
    const page = await (await fetch(`${s.url}/fa/letters/albania`)).text();
    assert.match(page, /جناب آقای ایلیر متا Ilir Meta رئیس جمهور محترم آلبانی/, 'the salutation stays part of the text');
    assert.match(page, /با درود؛/);
    const enPage = await (await fetch(`${s.url}/en/letters/albania`)).text();
    assert.match(enPage, /Honorable President of Albania, Mr\. Ilir Meta/);
    assert.match(enPage, /46 signatures/);
  } finally {
    await s.stop();
  }
});

test('close and reopen; a failing field is named; no addressee is a warning, not an error', () => {
  assert.equal(json(run(['letter', 'close', 'albania', '--json'])).state, 'closed');
  const publishClosed = run(['letter', 'publish', 'albania']);
  assert.equal(publishClosed.status, 1);
  assert.match(publishClosed.stderr, /reopened, not published/);
  assert.equal(json(run(['letter', 'reopen', 'albania', '--json'])).state, 'open');
  const missing = run(['letter', 'publish', 'no-such-letter']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /LETTER_NOT_FOUND/);

  const bad = run(['import', SEED, '--slug', 'x y']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /VALIDATION_FAILED/);
  assert.match(bad.stderr, /slug: INVALID_SLUG/);
  const badOwner = run(['import', SEED, '--slug', 'bad-owner', '--organiser', 'not-an-address']);
  assert.equal(badOwner.status, 1);
  assert.match(badOwner.stderr, /organisers\.0: INVALID_EMAIL/);

  const noSalutation = join(dir, 'plain.txt');
  writeFileSync(noSalutation, ['Keep the library open', '', 'We ask the council to keep the library open. It serves thousands.', '', 'March 3, 2024', '', 'Jane Doe', 'John Smith', 'Maryam Alipour'].join('\n'));
  const plain = run(['import', noSalutation, '--slug', 'library']);
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /No addressee was found in the salutation; fill it in before publishing/);
  const publish = run(['letter', 'publish', 'library']);
  assert.equal(publish.status, 1);
  assert.match(publish.stderr, /LETTER_INCOMPLETE/);
  assert.match(publish.stderr, /addressee\.name: REQUIRED — the addressee's name/);
  const published = run(['import', noSalutation, '--slug', 'library-2', '--addressee', 'The council', '--publish', '--json']);
  assert.equal(json(published).draft.state, 'open');
});

test('organisers: owners and moderators, a role change, the last owner stays', () => {
  assert.equal(json(run(['letter', 'organisers', 'add', 'albania', 'zoe@example.org', '--role', 'moderator', '--json'])).changed, true);
  assert.equal(json(run(['letter', 'organisers', 'add', 'albania', 'zoe@example.org', '--role', 'moderator', '--json'])).changed, false);
  const last = run(['letter', 'organisers', 'remove', 'albania', 'maryam@example.org']);
  assert.equal(last.status, 1);
  assert.match(last.stderr, /LAST_OWNER/);
  const demote = run(['letter', 'organisers', 'add', 'albania', 'maryam@example.org', '--role', 'moderator']);
  assert.equal(demote.status, 1);
  assert.match(demote.stderr, /LAST_OWNER/);
  assert.equal(json(run(['letter', 'organisers', 'add', 'albania', 'zoe@example.org', '--json'])).role, 'owner');
  assert.equal(run(['letter', 'organisers', 'remove', 'albania', 'maryam@example.org']).status, 0);
  assert.deepEqual(json(run(['letter', 'organisers', 'list', 'albania', '--json'])).organisers, [{ email: 'zoe@example.org', role: 'owner' }]);
  const gone = run(['letter', 'organisers', 'remove', 'albania', 'maryam@example.org']);
  assert.equal(gone.status, 1);
  assert.match(gone.stderr, /ORGANISER_NOT_FOUND/);
  const role = run(['letter', 'organisers', 'add', 'albania', 'x@example.org', '--role', 'boss']);
  assert.equal(role.status, 2);
  assert.match(role.stderr, /--role is owner or moderator/);
});

test('admins and approvals; UNDERSIGNED_ORGANISERS is checked at start', () => {
  assert.equal(json(run(['admin', 'add', 'Admin@Example.org', '--json'])).changed, true);
  assert.equal(json(run(['admin', 'add', 'admin@example.org', '--json'])).changed, false);
  const notFound = run(['admin', 'remove', 'nobody@example.org']);
  assert.equal(notFound.status, 1);
  assert.match(notFound.stderr, /ADMIN_NOT_FOUND/);
  const revokeNone = run(['admin', 'revoke', 'nobody@example.org']);
  assert.equal(revokeNone.status, 1);
  assert.match(revokeNone.stderr, /ORGANISER_NOT_FOUND/);
  assert.equal(json(run(['admin', 'approve', 'new@example.org', '--json'])).changed, true);
  assert.equal(json(run(['admin', 'revoke', 'new@example.org', '--json'])).changed, true);
  const list = json(run(['admin', 'list', '--json'], { UNDERSIGNED_ORGANISERS: 'a@example.org @ngo.example' }));
  assert.deepEqual(list.admins.map((a: { email: string }) => a.email), ['admin@example.org']);
  assert.deepEqual(list.approvals.map((a: { email: string; status: string }) => [a.email, a.status]), [['new@example.org', 'revoked']]);
  assert.deepEqual(list.policy, { mode: 'list', emails: ['a@example.org'], domains: ['ngo.example'] });
  const human = run(['admin', 'list'], { UNDERSIGNED_SMTP_URL: 'smtp://127.0.0.1:1' });
  assert.match(human.stdout, /only instance admins/, 'real SMTP and no setting: an empty list');
  assert.match(run(['admin', 'list']).stdout, /Who may organise: open/, 'development: open');
  const bad = run(['admin', 'list'], { UNDERSIGNED_ORGANISERS: 'everyone' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /UNDERSIGNED_ORGANISERS must be open, approval, or emails and @domains: "everyone"/);
  assert.equal(run(['admin', 'remove', 'admin@example.org']).status, 0);
});
