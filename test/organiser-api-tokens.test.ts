/**
 * Organiser API tokens against a real `serve` process, made by real CLI processes: CSV (UTF-8 with BOM) and JSON
 * exports (addresses only for owners, each export in the audit trail), search by a Persian name typed in Latin
 * letters, a bulk removal whose preview matches what it then does (the public count drops by that number, one
 * removal entry per signature with its reason, `undersigned audit` passes), and revocation.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServe, type Served } from './support/serve.ts';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';

const SEED = resolve('../shared/fixtures/seed-letter.txt');
let dir: string;
let s: Served;
let ownerToken: string;
let modToken: string;
let ownerTokenId: string;

const env = () => ({ ...process.env, UNDERSIGNED_DATABASE_URL: '', UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_BASE_URL: 'https://letters.example.org' });
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/undersigned.js', ...args], { encoding: 'utf8', env: env() });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-tokens-'));
  cli('import', SEED, '--slug', 'albania', '--organiser', 'owner@example.org', '--publish');
  cli('letter', 'organisers', 'add', 'albania', 'mod@example.org', '--role', 'moderator');
  const o = JSON.parse(cli('token', 'create', '--email', 'owner@example.org', '--letter', 'albania', '--expires', '30', '--json'));
  ownerToken = o.token;
  ownerTokenId = o.id;
  modToken = JSON.parse(cli('token', 'create', '--email', 'mod@example.org', '--json')).token;
  s = await startServe({ UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_BASE_URL: 'https://letters.example.org', UNDERSIGNED_RATE_LIMIT: 'off' });
});
after(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const api = (path: string, token: string | undefined, init: RequestInit = {}) =>
  fetch(`${s.url}/api/v1/organise/letters/albania${path}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) } });
const post = (token: string, body: unknown) => api('/removals', token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('tokens are stored hashed and shown once; without a valid token the API answers 401', async () => {
  assert.match(ownerToken, /^usd_[A-Za-z0-9_-]{20,}$/);
  const listed = cli('token', 'list', '--json');
  assert.ok(!listed.includes(ownerToken), 'the list never shows a token');
  assert.equal((await api('/signatures', undefined)).status, 401);
  assert.equal((await api('/signatures', 'usd_not-a-token')).status, 401);
  const r = await api('/signatures', 'usd_not-a-token');
  assert.equal((await r.json() as any).error.code, 'NOT_SIGNED_IN');
});

test('CSV: UTF-8 with BOM, every signature, Persian names as typed; emails only for owners, and recorded', async () => {
  const csv = await api('/signatures?format=csv&emails=true', ownerToken);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type')!, /^text\/csv; charset=utf-8/);
  const bytes = new Uint8Array(await csv.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'byte-order mark');
  const text = new TextDecoder().decode(bytes.slice(3));
  const lines = text.trimEnd().split('\r\n');
  assert.equal(lines[0], 'id,name,nameAlt,title,titleChecked,country,state,source,addedBy,lang,createdAt,confirmedAt,mailUndeliverable,mailRefusedReason,mailRefusedAt,email');
  assert.equal(lines.length, 47);
  assert.ok(lines.some((l) => l.includes('علیرضا نصر اللهی') && l.includes('Alireza Nasrollahi')));
  assert.ok(lines.slice(1).every((l) => l.includes(',confirmed,imported,')));

  const mod = await api('/signatures?emails=true', modToken);
  assert.equal(mod.status, 403);
  const modJson = await api('/signatures?format=json', modToken);
  assert.equal(modJson.status, 200);
  const body = await modJson.json() as any;
  assert.equal(body.total, 46);
  assert.equal(body.counts.confirmed, 46);
  assert.ok(body.items.every((i: Record<string, unknown>) => !('email' in i)));
  const modCsv = await (await api('/signatures?format=csv', modToken)).text();
  assert.ok(!modCsv.split('\r\n')[0]!.includes('email'));

  const store = await openSqliteStore(join(dir, 'undersigned.db'));
  try {
    const letter = (await store.letters.bySlug('albania'))!;
    const exports = (await store.desk.audit(letter.id, 100)).filter((e) => e.action === 'export');
    assert.deepEqual(exports.map((e) => [e.actor, e.detail.emails, e.detail.format]).sort(), [['mod@example.org', false, 'csv'], ['owner@example.org', true, 'csv']]);
  } finally {
    await store.close();
  }
});

test('search by a Persian name typed in Latin letters; filters are checked', async () => {
  const r = await (await api('/signatures?q=nasrolahi', modToken)).json() as any;
  assert.deepEqual(r.items.map((i: { name: string; nameAlt: string }) => [i.name, i.nameAlt]), [['علیرضا نصر اللهی', 'Alireza Nasrollahi']]);
  const bad = await api('/signatures?state=lost', modToken);
  assert.equal(bad.status, 400);
});

test('bulk removal: the preview matches what the removal does; one log entry per signature; the audit passes', async () => {
  const filter = { q: 'ali' };
  const preview = await (await post(modToken, { filter, reason: 'fraud', dryRun: true })).json() as any;
  assert.equal(preview.dryRun, true);
  assert.ok(preview.count >= 3, JSON.stringify(preview));
  assert.equal(preview.sample.length, Math.min(10, preview.count));
  const before = await (await fetch(`${s.url}/api/v1/letters/albania`)).json() as any;
  assert.equal(before.count, 46);
  const bad = await post(modToken, { filter, reason: 'dislike', dryRun: true });
  assert.equal(bad.status, 400);

  const done = await (await post(modToken, { filter, reason: 'fraud', dryRun: false })).json() as any;
  assert.equal(done.count, preview.count);
  assert.deepEqual(done.sample.map((x: { id: string }) => x.id), preview.sample.map((x: { id: string }) => x.id));
  const again = await (await post(modToken, { filter, reason: 'fraud', dryRun: true })).json() as any;
  assert.equal(again.count, 0, 'nothing left to remove');

  // the public count drops by that number (the letter cache lives a second)
  let after: any;
  for (let i = 0; i < 50; i++) {
    after = await (await fetch(`${s.url}/api/v1/letters/albania`)).json();
    if (after.count === 46 - preview.count) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(after.count, 46 - preview.count);
  const removed = await (await api(`/signatures?state=removed`, modToken)).json() as any;
  assert.equal(removed.total, preview.count);

  const audit = spawnSync(process.execPath, ['bin/undersigned.js', 'audit', s.url, '--letter', 'albania', '--json', '--retries', '3', '--state', join(dir, 'audit-state.json')], { encoding: 'utf8', env: env() });
  const report = JSON.parse(audit.stdout);
  assert.equal(audit.status, 0, JSON.stringify(report.problems ?? report).slice(0, 1000));
  const letter = report.letters.find((l: { slug: string }) => l.slug === 'albania');
  assert.equal(letter.removed.fraud, preview.count, 'one removal entry per signature, reason fraud');
  assert.equal(letter.logCount, 46 - preview.count);

  const store = await openSqliteStore(join(dir, 'undersigned.db'));
  try {
    const l = (await store.letters.bySlug('albania'))!;
    const entry = (await store.desk.audit(l.id, 100)).find((e) => e.action === 'remove');
    assert.deepEqual([entry?.actor, entry?.detail.count, entry?.detail.reason], ['mod@example.org', preview.count, 'fraud']);
  } finally {
    await store.close();
  }
});

test('a revoked token opens nothing; the OpenAPI document describes both endpoints', async () => {
  cli('token', 'revoke', ownerTokenId);
  assert.equal((await api('/signatures', ownerToken)).status, 401);
  const doc = await (await fetch(`${s.url}/api/openapi.json`)).json() as any;
  assert.ok(doc.paths['/api/v1/organise/letters/{slug}/signatures']?.get);
  assert.ok(doc.paths['/api/v1/organise/letters/{slug}/removals']?.post);
  assert.equal(doc.components.securitySchemes.organiserToken.scheme, 'bearer');
});
