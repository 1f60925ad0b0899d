/**
 * A write that waited its whole time for another process's SQLite write lock (SQLITE_BUSY) is answered 503 with
 * Retry-After and the stable code SERVER_BUSY (docs/errors.md), not a generic 500; the sign form comes back with what
 * the person typed, and nothing was written.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { testApp, openLetter, Browser, type TestApp } from './support/app.ts';
import type { SqliteStore } from '../src/adapters/storage/sqlite/index.ts';

describe('the database busy past the wait for its write lock', () => {
  let t: TestApp;
  let other: Database.Database;
  before(async () => {
    t = await testApp();
    await openLetter(t);
    // Another process holds the write lock for longer than this one waits.
    (t.app.store as SqliteStore).group.lockWaitMs = 100;
    other = new Database(join(t.dir, 'undersigned.db'));
    other.exec('begin immediate');
  });
  after(async () => {
    other.exec('rollback');
    other.close();
    await t.close();
  });

  test('the sign form: 503 with Retry-After, the form filled in as typed, and a message that says to try again', async () => {
    const b = new Browser(t.http);
    const res = await b.post('/en/letters/albania/sign', { name: 'Nima Patient', nameAlt: 'نیما', email: 'nima@example.org', title: 'Engineer', country: 'SE' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['retry-after'], '2');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.body, /The server is busy right now, so nothing was saved\. Please wait 2 seconds and try again\./);
    assert.match(res.body, /<form method="post" action="\/en\/letters\/albania\/sign"/);
    assert.match(res.body, /value="Nima Patient"/);
    assert.match(res.body, /value="نیما"/);
    assert.match(res.body, /value="nima@example.org"/);
    assert.match(res.body, /value="Engineer"/);
    assert.match(res.body, /<option value="SE" selected>/);
    const fa = await b.post('/fa/letters/albania/sign', { name: 'نیما', email: 'nima@example.org' });
    assert.equal(fa.statusCode, 503);
    assert.match(fa.body, /کارساز در این لحظه پرکار است/);
    assert.match(fa.body, /value="نیما"/);
  });

  test('the API: 503, Retry-After and {"error": {"code": "SERVER_BUSY"}}; nothing was written', async () => {
    const res = await t.http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', payload: { name: 'Api Patient', email: 'api@example.org' } });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['retry-after'], '2');
    assert.equal(res.json().error.code, 'SERVER_BUSY');
    const letter = (await t.app.store.letters.bySlug('albania'))!;
    assert.equal(await t.app.store.signatures.byEmail(letter.id, 'api@example.org'), undefined);
  });
});
