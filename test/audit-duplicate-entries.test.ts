/**
 * A log already hit by the race of issue 10 (entries are never deleted): a signature whose `sig` entry was written
 * three times, another written twice and then withdrawn twice. Built here by writing the duplicate entries directly
 * through the store and the sequencer, as the racing transactions did. `undersigned audit` names each duplicate,
 * counts each signature once (docs/transparency-log.md §7.8), agrees with the API, and exits 0 with warnings.
 * (The store's side on every adapter, PostgreSQL included: the log contract's duplicates case.)
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testApp, openLetter, type TestApp } from './support/app.ts';
import { signAndConfirm } from './support/log.ts';
import { runCli } from '../src/cli.ts';
import { logCancel, logSignature } from '../src/use-cases/steps/log-entries.ts';

describe('audit of a log holding duplicate entries', () => {
  let t: TestApp;
  let base = '';
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-dup-audit-'));
  const audit = async (json: boolean) => {
    const out: string[] = [];
    const code = await runCli(['audit', base, '--state', join(dir, `state-${json}.json`), '--retries', '0', ...(json ? ['--json'] : [])], { out: (s: string) => void out.push(s), err: () => undefined, isTTY: false }, {}, dir);
    return { code, text: out.join('') };
  };

  before(async () => {
    t = await testApp();
    await openLetter(t);
    await signAndConfirm(t, 'albania', { name: 'Zoe Adams', email: 'zoe@example.org', lang: 'en' });
    await signAndConfirm(t, 'albania', { name: 'Arash Karimi', email: 'arash@example.org', lang: 'en' });
    await signAndConfirm(t, 'albania', { name: 'Sam Bell', email: 'sam@example.org', lang: 'en' });
    const { store } = t.app;
    const letter = (await store.letters.bySlug('albania'))!;
    const zoe = (await store.signatures.byEmail(letter.id, 'zoe@example.org'))!;
    const arash = (await store.signatures.byEmail(letter.id, 'arash@example.org'))!;
    // What each losing transaction of the race wrote: another `sig` entry with fresh openings (the signature's
    // log row then points at the last one), and another `withdraw` entry of the signature's current entry.
    for (let i = 0; i < 2; i++) await store.transaction((tx) => logSignature(tx, t.app.deps, letter, zoe));
    await store.transaction((tx) => logSignature(tx, t.app.deps, letter, arash));
    await store.transaction(async (tx) => {
      await tx.signatures.update({ ...arash, status: 'withdrawn', withdrawnAt: arash.updatedAt });
      await logCancel(tx, t.app.deps, letter, arash.id, 'withdraw', 'signer');
    });
    await store.transaction((tx) => logCancel(tx, t.app.deps, letter, arash.id, 'withdraw', 'signer'));
    t.app.reads.invalidate(letter.id);
    await t.app.sequencer.drain();
    await t.http.listen({ port: 0, host: '127.0.0.1' });
    const addr = t.http.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the duplicates are named, each signature counts once, the counts agree with the API, exit 0', async () => {
    const { code, text } = await audit(true);
    const report = JSON.parse(text);
    assert.equal(code, 0, JSON.stringify(report.problems));
    assert.deepEqual(report.problems, []);
    const l = report.letters.find((x: { slug: string }) => x.slug === 'albania');
    assert.deepEqual(
      { apiCount: l.apiCount, logCount: l.logCount, signatures: l.signatures, withdrawn: l.withdrawn, duplicates: l.duplicates },
      { apiCount: 2, logCount: 2, signatures: 3, withdrawn: 1, duplicates: { signatures: 3, cancellations: 1 } },
    );
    assert.deepEqual(report.warnings.map((w: { code: string }) => w.code).sort(), ['DUPLICATE_CANCEL', 'DUPLICATE_SIG', 'DUPLICATE_SIG', 'DUPLICATE_SIG']);
    // The letter's public figures discount the duplicate withdrawal as well.
    const api = (await (await fetch(`${base}/api/v1/letters/albania`)).json()) as { count: number; removals: { withdrawn: number } };
    assert.equal(api.count, 2);
    assert.equal(api.removals.withdrawn, 1);
  });

  test('the plain report says so', async () => {
    const { code, text } = await audit(false);
    assert.equal(code, 0, text);
    assert.match(text, /WARNING: the log holds 4 duplicate entries/);
    assert.match(text, /DUPLICATE_SIG #\d+: signature entry \d+ repeats entry \d+/);
    assert.match(text, /OK: the log verifies/);
  });
});
