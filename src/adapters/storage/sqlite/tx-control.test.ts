/**
 * The group commit's attempt at the write lock (txControl, sqlite/index.ts) on a stand-in for the connection: every
 * SQLITE_BUSY* code at BEGIN means "try again later", and a BEGIN that took the lock is rolled back when the
 * connection's busy_timeout cannot be put back (the group then fails, and the connection is not left in a transaction).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { txControl } from './index.ts';
import { BUSY_TIMEOUT_MS } from './group-commit.ts';

function fakeConnection(opts: { beginError?: Error & { code?: string }; failReset?: boolean }) {
  const ran: string[] = [];
  let inTransaction = false;
  const connection = {
    prepare(source: string) {
      return {
        run() {
          if (source === 'begin immediate') {
            if (opts.beginError) throw opts.beginError;
            inTransaction = true;
          }
          if (source === 'rollback' || source === 'commit') inTransaction = false;
          ran.push(source);
        },
      };
    },
    pragma(source: string) {
      ran.push(`pragma ${source}`);
      if (opts.failReset && source === `busy_timeout = ${BUSY_TIMEOUT_MS}`) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
    },
  };
  return { connection: connection as never, ran, inTransaction: () => inTransaction };
}

test('BEGIN IMMEDIATE: the lock taken is true, any SQLITE_BUSY* code is false (try again later), another error is thrown; busy_timeout is put back each time', () => {
  const ok = fakeConnection({});
  assert.equal(txControl(ok.connection).tryBeginImmediate(), true);
  assert.equal(ok.inTransaction(), true);
  assert.deepEqual(ok.ran.filter((s) => s.startsWith('pragma')), ['pragma busy_timeout = 0', `pragma busy_timeout = ${BUSY_TIMEOUT_MS}`]);
  for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_RECOVERY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_TIMEOUT']) {
    const busy = fakeConnection({ beginError: Object.assign(new Error('database is locked'), { code }) });
    assert.equal(txControl(busy.connection).tryBeginImmediate(), false, code);
    assert.equal(busy.ran.at(-1), `pragma busy_timeout = ${BUSY_TIMEOUT_MS}`, code);
  }
  const broken = fakeConnection({ beginError: Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' }) });
  assert.throws(() => txControl(broken.connection).tryBeginImmediate(), (e: Error & { code?: string }) => e.code === 'SQLITE_NOTADB' && Boolean(e.stack?.includes('tx-control.test')));
  assert.equal(broken.ran.at(-1), `pragma busy_timeout = ${BUSY_TIMEOUT_MS}`);
});

test('busy_timeout cannot be put back after BEGIN took the lock: rolled back, and the error thrown', () => {
  const c = fakeConnection({ failReset: true });
  assert.throws(() => txControl(c.connection).tryBeginImmediate(), (e: Error & { code?: string }) => e.code === 'SQLITE_IOERR');
  assert.equal(c.inTransaction(), false, 'not left inside the transaction');
  assert.equal(c.ran.at(-1), 'rollback');
});
