import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

test('defaults: port 3000, ./data, base URL from the port, dev outbox, rate limit on', () => {
  const c = loadConfig({}, {}, '/srv');
  assert.equal(c.port, 3000);
  assert.equal(c.dataDir, '/srv/data');
  assert.equal(c.baseUrl, 'http://localhost:3000');
  assert.equal(c.smtpUrl, undefined);
  assert.equal(c.dev, true);
  assert.equal(c.rateLimitPerMinute, 10);
  assert.equal(loadConfig({ UNDERSIGNED_PORT: '4000' }, {}, '/srv').baseUrl, 'http://localhost:4000');
  assert.equal(loadConfig({}, { port: 5000 }, '/srv').baseUrl, 'http://localhost:5000');
});

test('settings are read and bad values name their variable', () => {
  const c = loadConfig({ UNDERSIGNED_BASE_URL: 'https://letters.example.org/', UNDERSIGNED_SMTP_URL: 'smtp://127.0.0.1:2525', UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_DATA_DIR: '/var/lib/u' }, {}, '/srv');
  assert.equal(c.baseUrl, 'https://letters.example.org');
  assert.equal(c.rateLimitPerMinute, undefined);
  assert.equal(c.dev, false);
  assert.equal(c.dataDir, '/var/lib/u');
  for (const [k, v] of [['UNDERSIGNED_PORT', 'abc'], ['UNDERSIGNED_PORT', '70000'], ['UNDERSIGNED_BASE_URL', 'not a url'], ['UNDERSIGNED_SMTP_URL', 'http://x'], ['UNDERSIGNED_RATE_LIMIT', 'lots'], ['UNDERSIGNED_DATABASE_URL', 'mysql://x'], ['UNDERSIGNED_TRUST_PROXY', 'maybe']]) {
    assert.throws(() => loadConfig({ [k!]: v }), (e: Error) => e instanceof ConfigError && e.message.includes(k!), `${k}=${v}`);
  }
});

test('processes: 1 by default, a whole number, or auto (one per core); the flag wins; bad values name their source', async () => {
  const { availableParallelism } = await import('node:os');
  assert.equal(loadConfig({}).processes, 1);
  assert.equal(loadConfig({ UNDERSIGNED_PROCESSES: '4' }).processes, 4);
  assert.equal(loadConfig({ UNDERSIGNED_PROCESSES: 'auto' }).processes, Math.min(availableParallelism(), 256));
  assert.equal(loadConfig({ UNDERSIGNED_PROCESSES: 'AUTO' }).processes, Math.min(availableParallelism(), 256));
  assert.equal(loadConfig({ UNDERSIGNED_PROCESSES: '4' }, { processes: '2' }).processes, 2);
  for (const v of ['0', '-1', '1.5', 'two', '257', '0x2', '1e1']) {
    assert.throws(() => loadConfig({ UNDERSIGNED_PROCESSES: v }), (e: Error) => e instanceof ConfigError && e.message.includes('UNDERSIGNED_PROCESSES') && e.message.includes(`"${v}"`), v);
    assert.throws(() => loadConfig({}, { processes: v }), (e: Error) => e instanceof ConfigError && e.message.includes('--processes'), `--processes ${v}`);
  }
});

test('PostgreSQL named statements: on by default, on or off, anything else stops the start naming the variable', () => {
  assert.equal(loadConfig({}).pgNamedStatements, true);
  assert.equal(loadConfig({ UNDERSIGNED_PG_NAMED_STATEMENTS: 'on' }).pgNamedStatements, true);
  assert.equal(loadConfig({ UNDERSIGNED_PG_NAMED_STATEMENTS: 'OFF' }).pgNamedStatements, false);
  for (const v of ['yes', '0', 'disabled', 'of']) {
    assert.throws(() => loadConfig({ UNDERSIGNED_PG_NAMED_STATEMENTS: v }), (e: Error) => e instanceof ConfigError && e.message.includes('UNDERSIGNED_PG_NAMED_STATEMENTS') && e.message.includes(`"${v}"`), v);
  }
});
