/**
 * `undersigned audit` against a real listening server; a third-party verifier written here with node:crypto only
 * (no code of ours: RFC 6962 from the entry bundles, signed-note Ed25519 and key id); erasure keeps the log and
 * the audit green; altering one tile or one entry in the database makes the audit fail.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { testApp, openLetter, type TestApp } from './support/app.ts';
import { runCli } from '../src/cli.ts';
import type { SqlStore } from '../src/adapters/storage/sql/store.ts';
import { removeSignature } from '../src/use-cases/remove-signature.ts';
import { eraseExpired, eraseOnRequest, setRetention } from '../src/use-cases/erase.ts';
import { setLetterState } from '../src/use-cases/edit-letter.ts';
import { signAndConfirm } from './support/log.ts';

// ---------------------------------------------------------------- third-party verifier (node:crypto only)
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const idx = (n: number) => {
  const g: string[] = [];
  do {
    g.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return g.map((x, i) => (i < g.length - 1 ? 'x' + x : x)).join('/');
};
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha(Buffer.alloc(0));
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
async function independentCheck(base: string): Promise<{ size: number; counts: Map<string, number>; entries: Buffer[] }> {
  const get = async (p: string) => {
    const r = await fetch(base + p);
    assert.equal(r.status, 200, p);
    return Buffer.from(await r.arrayBuffer());
  };
  const vkey = (await get('/log/key')).toString('utf8').trim();
  const a = vkey.indexOf('+');
  const b = vkey.indexOf('+', a + 1);
  const name = vkey.slice(0, a);
  const raw = Buffer.from(vkey.slice(b + 1), 'base64');
  assert.equal(raw[0], 0x01, 'Ed25519 key type');
  assert.equal(sha(Buffer.from(name), Buffer.from([0x0a]), raw).subarray(0, 4).toString('hex'), vkey.slice(a + 1, b), 'key id');
  const note = (await get('/log/checkpoint')).toString('utf8');
  const sep = note.indexOf('\n\n');
  const text = note.slice(0, sep + 1);
  const sigLine = note.slice(sep + 2).split('\n').find((l) => l.startsWith(`\u2014 ${name} `))!;
  const sig = Buffer.from(sigLine.slice(`\u2014 ${name} `.length), 'base64');
  assert.equal(sig.subarray(0, 4).toString('hex'), vkey.slice(a + 1, b));
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw.subarray(1)]), format: 'der', type: 'spki' });
  assert.ok(verify(null, Buffer.from(text), key, sig.subarray(4)), 'checkpoint signature');
  const [origin, sizeLine, rootB64] = text.split('\n');
  assert.equal(origin, name);
  const size = Number(sizeLine);
  const entries: Buffer[] = [];
  for (let k = 0; k * 256 < size; k++) {
    const w = Math.min(256, size - k * 256);
    const bundle = await get(`/log/tile/entries/${idx(k)}${w < 256 ? `.p/${w}` : ''}`);
    for (let off = 0, i = 0; i < w; i++) {
      const len = bundle.readUInt16BE(off);
      entries.push(bundle.subarray(off + 2, off + 2 + len));
      off += 2 + len;
    }
  }
  assert.equal(mth(entries.map((e) => sha(Buffer.from([0]), e))).toString('base64'), rootB64, 'RFC 6962 root');
  const counts = new Map<string, number>();
  for (const e of entries) {
    const lines = e.toString('latin1').split('\n');
    const letter = lines[1]!.slice('letter '.length);
    if (lines[0] === 'undersigned/v1 sig') counts.set(letter, (counts.get(letter) ?? 0) + 1);
    if (lines[0] === 'undersigned/v1 withdraw' || lines[0] === 'undersigned/v1 remove') counts.set(letter, (counts.get(letter) ?? 0) - 1);
  }
  return { size, counts, entries };
}

describe('audit a live instance', () => {
  let t: TestApp;
  let base = '';
  let dir = '';
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), isTTY: false } };
  };
  const audit = async (...extra: string[]) => {
    const c = io();
    const code = await runCli(['audit', base, '--state', join(dir, 'state.json'), '--json', '--retries', '0', ...extra], c.io, {}, dir);
    return { code, report: JSON.parse(c.out.join('')) };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'undersigned-audit-'));
    t = await testApp();
    await openLetter(t);
    await openLetter(t, 'second-letter');
    await signAndConfirm(t, 'albania', { name: 'Zoe Adams', email: 'zoe@example.org', lang: 'en' });
    await signAndConfirm(t, 'albania', { name: 'مریم رضایی', email: 'maryam@example.org', lang: 'fa' });
    await signAndConfirm(t, 'albania', { name: 'Hidden Person', email: 'hidden@example.org', lang: 'en', visibility: 'hidden' });
    await signAndConfirm(t, 'albania', { name: 'Fake Name', email: 'fake@example.org', lang: 'en' });
    await signAndConfirm(t, 'second-letter', { name: 'Sam Bell', email: 'sam@example.org', lang: 'en' });
    const letter = (await t.app.store.letters.bySlug('albania'))!;
    await removeSignature(t.app.deps, 'albania', (await t.app.store.signatures.byEmail(letter.id, 'fake@example.org'))!.id, 'fraud', undefined);
    t.app.reads.invalidate(letter.id);
    await t.app.sequencer.drain();
    await t.http.listen({ port: 0, host: '127.0.0.1' });
    const addr = t.http.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the audit passes on the live instance and records the checkpoint it saw', async () => {
    const { code, report } = await audit();
    assert.equal(code, 0, JSON.stringify(report.problems));
    assert.equal(report.ok, true);
    const albania = report.letters.find((l: { slug: string }) => l.slug === 'albania');
    assert.deepEqual({ api: albania.apiCount, log: albania.logCount, listed: albania.listChecked }, { api: 3, log: 3, listed: 2 });
    assert.deepEqual({ names: albania.namesChecked, total: albania.publicTotal, erased: albania.erased, pages: albania.listPages }, { names: 2, total: 2, erased: 0, pages: { checked: 1, of: 1 } });
    assert.equal(albania.removed.fraud, 1);
    const { code: again } = await audit('--letter', 'albania');
    assert.equal(again, 0);
  });

  test('a third-party verifier (node:crypto only, not our log code) rebuilds the root and counts as the API does; no email in any entry', async () => {
    const { counts, entries } = await independentCheck(base);
    for (const slug of ['albania', 'second-letter']) {
      const api = (await (await fetch(`${base}/api/v1/letters/${slug}`)).json()) as { count: number };
      assert.equal(counts.get(slug), api.count, slug);
    }
    // Entries carry commitments (base64), never what was typed: no address, no domain, no name in clear. Exact
    // strings only: a case-insensitive 'sam' also matches random base64.
    const names = ['Zoe Adams', 'Sam Bell', 'Hidden Person', 'Fake Name', 'مریم رضایی'];
    // As typed, and in the folded forms a comparison key would take (long enough not to occur in base64 by chance).
    const typed = ['example.org', 'zoe@', 'maryam@', 'hidden@', 'fake@', 'sam@', ...names, ...names.map((n) => n.toLowerCase()), ...names.map((n) => n.toLowerCase().replace(' ', ''))];
    for (const e of entries) {
      const s = e.toString('utf8');
      assert.ok(!s.includes('@'), s);
      for (const x of typed) assert.ok(!s.includes(x), `${x} in ${s}`);
    }
  });

  test('the openings export shows what the public list shows and nothing more: no hidden or removed signature, no contact opening, no email', async () => {
    const db = (t.app.store as SqlStore).db;
    const size = Number((await (await fetch(`${base}/log/checkpoint`)).text()).split('\n')[1]);
    assert.ok(size > 0 && size < 256);
    const r = await fetch(`${base}/log/openings/000.p/${size}`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    assert.match(r.headers.get('cache-control') ?? '', /max-age=10\b/);
    const etag = r.headers.get('etag')!;
    assert.ok(etag);
    const text = await r.text();
    const body = JSON.parse(text) as { from: number; width: number; names: [number, string, string][]; erased: number[] };
    assert.deepEqual({ from: body.from, width: body.width, erased: body.erased }, { from: 0, width: size, erased: [] });
    assert.deepEqual(body.names.map((n) => n[1]).sort(), ['Sam Bell', 'Zoe Adams', 'مریم رضایی'].sort());
    // The same index and opening as the public list.
    const list = (await (await fetch(`${base}/api/v1/letters/albania/signatures`)).json()) as { items: { name: string; logIndex: number; opening: string }[] };
    for (const it of list.items) assert.ok(body.names.some(([i, n, o]) => i === it.logIndex && n === it.name && o === it.opening), it.name);
    // Nothing of the hidden or the removed signature; no contact opening of anyone; no email.
    const rows = await db.selectFrom('signature_log').innerJoin('signatures', 'signatures.id', 'signature_log.signature_id').innerJoin('log_entries', 'log_entries.id', 'signature_log.entry_id')
      .select(['signatures.name', 'signatures.visibility', 'signatures.status', 'signature_log.name_opening', 'signature_log.contact_opening', 'log_entries.idx']).execute();
    assert.equal(rows.length, 5);
    for (const row of rows) {
      assert.ok(!text.includes(Buffer.from(row.contact_opening!).toString('base64')), 'contact opening served');
      if (row.visibility === 'hidden' || row.status !== 'confirmed') {
        assert.ok(!text.includes(Buffer.from(row.name_opening!).toString('base64')), `name opening of ${row.name} served`);
        assert.ok(!text.includes(row.name), `${row.name} served`);
        assert.ok(!body.names.some(([i]) => i === Number(row.idx)) && !body.erased.includes(Number(row.idx)));
      }
    }
    assert.ok(!text.includes('@'));
    // Revalidation, and only paths of the log as it stands.
    assert.equal((await fetch(`${base}/log/openings/000.p/${size}`, { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal((await fetch(`${base}/log/openings/000.p/${size + 1}`)).status, 404);
    assert.equal((await fetch(`${base}/log/openings/000`)).status, 404);
    assert.equal((await fetch(`${base}/log/openings/0`)).status, 404);
  });

  test('an altered name opening, or a name moved to another entry, fails the audit', async () => {
    const db = (t.app.store as SqlStore).db;
    const letter = (await t.app.store.letters.bySlug('albania'))!;
    const zoe = (await t.app.store.signatures.byEmail(letter.id, 'zoe@example.org'))!;
    const hidden = (await t.app.store.signatures.byEmail(letter.id, 'hidden@example.org'))!;
    const row = await db.selectFrom('signature_log').selectAll().where('signature_id', '=', zoe.id).executeTakeFirstOrThrow();
    const hiddenRow = await db.selectFrom('signature_log').selectAll().where('signature_id', '=', hidden.id).executeTakeFirstOrThrow();
    const letterEntry = await db.selectFrom('log_entries').select('id').where('kind', '=', 'letter').where('letter', '=', 'albania').orderBy('idx').executeTakeFirstOrThrow();
    const codes = (r: { report: { problems: { code: string }[] } }) => r.report.problems.map((p) => p.code);
    const set = async (v: { name_opening?: Buffer | Uint8Array | null; entry_id?: number | string }) => {
      await db.updateTable('signature_log').set(v as never).where('signature_id', '=', zoe.id).execute();
      t.app.reads.invalidate(letter.id);
    };
    try {
      // One byte of one name opening.
      const bad = Buffer.from(row.name_opening!);
      bad[0]! ^= 1;
      await set({ name_opening: bad });
      let r = await audit();
      assert.equal(r.code, 1);
      assert.ok(r.report.problems.some((p: { code: string; path?: string }) => p.code === 'OPENING_MISMATCH' && p.path === `openings/000.p/${r.report.checkpoint.size}`), JSON.stringify(r.report.problems));
      assert.ok(codes(r).includes('LIST_COMMITMENT_MISMATCH'), JSON.stringify(r.report.problems));

      // Zoe's name shown for the hidden signature's entry: its commitment is to another name.
      await set({ name_opening: row.name_opening, entry_id: hiddenRow.entry_id });
      r = await audit();
      assert.equal(r.code, 1);
      assert.ok(codes(r).includes('OPENING_MISMATCH') && codes(r).includes('LIST_COMMITMENT_MISMATCH'), JSON.stringify(r.report.problems));

      // Zoe's name pointed at a `letter` entry: the export leaves it out, the list still shows it.
      await set({ entry_id: letterEntry.id });
      r = await audit();
      assert.equal(r.code, 1);
      assert.ok(codes(r).includes('PUBLIC_TOTAL_MISMATCH') && codes(r).includes('LIST_BAD_INDEX'), JSON.stringify(r.report.problems));
    } finally {
      await set({ name_opening: row.name_opening, entry_id: row.entry_id });
    }
    assert.equal((await audit()).code, 0);
  });

  test('erasure on request and by retention: the log still verifies, the audit still passes, erased names show as erased', async () => {
    await eraseOnRequest(t.app.deps, 'albania', 'Zoe@Example.org');
    const letter = (await t.app.store.letters.bySlug('albania'))!;
    const zoe = await t.app.store.signatures.byEmail(letter.id, 'zoe@example.org');
    assert.equal(zoe, undefined, 'the address is gone');
    await setRetention(t.app.deps, 'albania', 1, undefined);
    await setLetterState(t.app.deps, 'albania', 'closed', undefined);
    t.clock.advance(2 * 86_400_000);
    assert.ok((await eraseExpired(t.app.deps)) >= 2);
    t.app.reads.invalidate(letter.id);
    await t.app.sequencer.drain();
    const list = (await (await fetch(`${base}/api/v1/letters/albania/signatures`)).json()) as { items: { name: string; erased: boolean; opening: string | null }[]; count: number };
    assert.equal(list.count, 2);
    assert.ok(list.items.length === 1 && list.items[0]!.erased && list.items[0]!.name === '' && list.items[0]!.opening === null, JSON.stringify(list.items));
    const page = await (await fetch(`${base}/en/letters/albania`)).text();
    assert.match(page, /\(name erased\)/);
    const { code, report } = await audit();
    assert.equal(code, 0, JSON.stringify(report.problems));
    const albania = report.letters.find((l: { slug: string }) => l.slug === 'albania');
    assert.equal(albania.erased, 1);
    assert.equal(albania.removed.signer, 1);
  });

  test('altering one entry or one tile in the database makes the audit fail', async () => {
    const db = (t.app.store as SqlStore).db;
    const row = await db.selectFrom('log_tiles').selectAll().where('level', '=', -1).where('idx', '=', 0).executeTakeFirstOrThrow();
    const original = Buffer.from(row.data);
    const altered = Buffer.from(original);
    const at = altered.indexOf('time ') + 5;
    altered[at] = altered[at] === 0x31 ? 0x32 : 0x31; // one digit of one entry's time
    await sql`update log_tiles set data = ${altered} where level = -1 and idx = 0`.execute(db);
    let r = await audit();
    assert.equal(r.code, 1);
    assert.ok(r.report.problems.some((p: { code: string }) => p.code === 'ROOT_MISMATCH' || p.code === 'TILE_MISMATCH'), JSON.stringify(r.report.problems));
    await sql`update log_tiles set data = ${original} where level = -1 and idx = 0`.execute(db);
    assert.equal((await audit()).code, 0);

    const tile = await db.selectFrom('log_tiles').selectAll().where('level', '=', 0).where('idx', '=', 0).executeTakeFirstOrThrow();
    const orig = Buffer.from(tile.data);
    const bad = Buffer.from(orig);
    bad[0]! ^= 0xff;
    await sql`update log_tiles set data = ${bad} where level = 0 and idx = 0`.execute(db);
    r = await audit();
    assert.equal(r.code, 1);
    assert.ok(r.report.problems.some((p: { code: string }) => p.code === 'TILE_MISMATCH'), JSON.stringify(r.report.problems));
    await sql`update log_tiles set data = ${orig} where level = 0 and idx = 0`.execute(db);
  });

  test('a count the log does not back fails the audit', async () => {
    const db = (t.app.store as SqlStore).db;
    // The site shows one more signature than the log holds (a row confirmed behind the log's back).
    const letter = (await t.app.store.letters.bySlug('second-letter'))!;
    const sig = (await t.app.store.signatures.byEmail(letter.id, 'sam@example.org'))!;
    await t.app.store.signatures.insert({ ...sig, id: 'forged-' + sig.id, emailKey: 'forged@example.org', email: 'forged@example.org', name: 'Forged' });
    t.app.reads.invalidate(letter.id);
    const r = await audit('--letter', 'second-letter');
    assert.equal(r.code, 1);
    assert.ok(r.report.problems.some((p: { code: string }) => p.code === 'COUNT_MISMATCH'));
    assert.ok(r.report.problems.some((p: { code: string }) => p.code === 'LIST_NOT_LOGGED'));
    // The list now holds a name the openings export (and the log) does not.
    assert.ok(r.report.problems.some((p: { code: string }) => p.code === 'PUBLIC_TOTAL_MISMATCH'));
    await db.deleteFrom('signatures').where('id', '=', 'forged-' + sig.id).execute();
  });
});
