/**
 * A fresh PostgreSQL database per test file, created from UNDERSIGNED_TEST_DATABASE_URL (default: the machine's
 * server, user postgres, trust auth) and dropped afterwards. PostgreSQL being down is a failure, never a skip:
 * CI runs it (.ci/run starts it), and a suite that silently skips its second database proves nothing.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** URL of the new, empty database. */
  url: string;
  name: string;
  /** Drops it, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

function adminUrl(): string {
  return process.env.UNDERSIGNED_TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const url = adminUrl();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  // A connection error after connect() (server restart) must not become an uncaught exception in the test process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    const err = e as Error & { code?: string };
    const u = new URL(url);
    if (u.password) u.password = '***';
    throw new Error(
      `PostgreSQL is required by this test and could not be reached at ${u.toString()} (${err.code ?? err.message}). ` +
        'Start it (bash .ci/run does, or pg_ctlcluster <version> main start) or point UNDERSIGNED_TEST_DATABASE_URL ' +
        'at a server where that user may CREATE DATABASE.',
      { cause: e },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  // Lower case, letters/digits/underscore only: safe to quote, unique across parallel test processes.
  const name = `undersigned_test_${process.pid}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin(async (c) => {
    // A locale collation (ICU en-US sorts 'a' < 'B' < 'b' and ignores punctuation at first) rather than the C.UTF-8
    // many CI servers default to, so that a query relying on the server's collation instead of the schema's
    // (migrations.ts: text collate "C") fails here and not in production on a server set up otherwise.
    try {
      await c.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`);
    } catch (e) {
      // PostgreSQL < 15 (syntax) or built without ICU: the server's default collation will do.
      if (!['42601', '0A000', '42704'].includes((e as { code?: string }).code ?? '')) throw e;
      await c.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`);
    }
  });
  const u = new URL(adminUrl());
  u.pathname = `/${name}`;
  let dropped = false;
  return {
    url: u.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
