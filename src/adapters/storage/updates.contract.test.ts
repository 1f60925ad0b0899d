/** Runs the updates contract against every adapter: memory, SQLite and PostgreSQL (never skipped). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { updatesContract } from './updates.case.ts';
import { MemoryStore } from './memory/index.ts';
import { openSqliteStore } from './sqlite/index.ts';
import { openPostgresStore } from './postgres/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.ts';

updatesContract({ name: 'memory', open: async () => new MemoryStore() });

const dir = mkdtempSync(join(tmpdir(), 'undersigned-updates-'));
after(() => rmSync(dir, { recursive: true, force: true }));
updatesContract({ name: 'sqlite (file, WAL)', open: () => openSqliteStore(join(dir, 'updates.db')) });

// PostgreSQL unreachable = the suite fails with a message that says so (createTestDatabase), never a skip. This
// test makes it a counted failure: a failing `before` hook alone only shows as "cancelled" in node:test's summary.
test('postgres: the server for the contract suite is reachable', async () => {
  const db = await createTestDatabase();
  await db.drop();
});
const databases: TestDatabase[] = [];
after(async () => {
  for (const d of databases) await d.drop();
});
updatesContract({
  name: 'postgres',
  open: async () => {
    const db = await createTestDatabase();
    databases.push(db);
    return openPostgresStore(db.url);
  },
});
