/**
 * The transparency log in the product: confirmations, letter texts, withdrawals and removals become entries in the
 * same transaction as the change; the sequencer publishes tiles and a signed checkpoint; /log/* serves them.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, openLetter, type TestApp } from './support/app.ts';
import { verifyOverHttp, signAndConfirm } from './support/log.ts';
import { decodeEntry } from '../src/core/log/index.ts';

describe('transparency log: entries, sequencer, /log', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    await openLetter(t);
  });
  after(() => t.close());

  test('no checkpoint before the first batch; the first batch publishes the letter texts', async () => {
    assert.equal((await t.http.inject('/log/checkpoint')).statusCode, 503);
    await t.app.sequencer.drain();
    const r = await t.http.inject('/log/checkpoint');
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; charset=utf-8/);
    assert.match(String(r.headers['cache-control']), /max-age=2\b/);
    assert.ok(r.body.startsWith('test.local/log\n2\n'), r.body);
    const key = await t.http.inject('/log/key');
    assert.match(key.body, /^test\.local\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*\n$/);
  });

  test('confirmations are logged; the log verifies and counts what the API counts; no email in any entry', async () => {
    await signAndConfirm(t, 'albania', { name: 'Zoe Adams', email: 'zoe@example.org', lang: 'en' });
    await signAndConfirm(t, 'albania', { name: 'مریم رضایی', email: 'Maryam@Example.org', lang: 'fa', visibility: 'hidden' });
    assert.equal(await t.app.store.log.pendingCount(), 2);
    assert.equal(await t.app.sequencer.drain(), 2);
    const res = await verifyOverHttp(t.http);
    assert.equal(res.checkpoint.size, 4);
    const letter = res.letters.find((l) => l.letter === 'albania')!;
    assert.equal(letter.count, (await t.http.inject('/api/v1/letters/albania')).json().count);
    assert.equal(letter.count, 2);
    for (const e of res.all) {
      const text = Buffer.from(e.bytes).toString('latin1');
      assert.ok(!text.includes('@') && !/zoe|maryam|example/i.test(text), text);
      decodeEntry(e.bytes);
    }
  });

  test('tiles: content type, immutable full tiles, short-lived partial ones, canonical paths only', async () => {
    const r = await t.http.inject('/log/tile/0/000.p/4');
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['content-type'], 'application/octet-stream');
    assert.equal(r.rawPayload.length, 4 * 32);
    assert.match(String(r.headers['cache-control']), /max-age=60/);
    const older = await t.http.inject('/log/tile/0/000.p/2');
    assert.deepEqual(older.rawPayload, r.rawPayload.subarray(0, 64), 'a narrower partial tile is the prefix of the wider one');
    assert.equal((await t.http.inject('/log/tile/entries/000.p/4')).statusCode, 200);
    assert.equal((await t.http.inject('/log/tile/0/000.p/5')).statusCode, 404);
    assert.equal((await t.http.inject('/log/tile/0/0.p/4')).statusCode, 404, 'non-canonical path');
    assert.equal((await t.http.inject('/log/tile/0/000')).statusCode, 404);
  });
});

describe('transparency log: crash between tiles and checkpoint', () => {
  let t: TestApp;
  let crash = false;
  before(async () => {
    t = await testApp();
    // The hook is read through the app's sequencer options.
    (t.app.sequencer as unknown as { o: { afterTiles?: () => void } }).o.afterTiles = () => {
      if (crash) throw new Error('simulated crash');
    };
    await openLetter(t);
  });
  after(() => t.close());

  test('the old checkpoint still verifies, and the next run resumes to the same log', async () => {
    await t.app.sequencer.drain();
    await signAndConfirm(t, 'albania', { name: 'Zoe Adams', email: 'zoe@example.org', lang: 'en' });
    const before = (await t.http.inject('/log/checkpoint')).body;
    crash = true;
    await assert.rejects(t.app.sequencer.runOnce(), /simulated crash/);
    assert.equal((await t.http.inject('/log/checkpoint')).body, before);
    const old = await verifyOverHttp(t.http);
    assert.equal(old.checkpoint.size, 2);
    crash = false;
    assert.equal(await t.app.sequencer.drain(), 1);
    const now = await verifyOverHttp(t.http);
    assert.equal(now.checkpoint.size, 3);
    assert.equal(now.letters[0]!.count, 1);
  });
});
