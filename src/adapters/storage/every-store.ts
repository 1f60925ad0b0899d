/**
 * Runs one contract suite against every store: memory, SQLite (a file, WAL) and PostgreSQL (a fresh database per
 * suite, never skipped). PostgreSQL unreachable fails with a message that says so (createTestDatabase); the
 * reachability test makes it a counted failure, as a failing `before` hook alone only shows as "cancelled".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { StoreFactory } from './store.case.ts';
import { MemoryStore } from './memory/index.ts';
import { openSqliteStore } from './sqlite/index.ts';
import { openPostgresStore } from './postgres/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.ts';

export function onEveryStore(label: string, contract: (factory: StoreFactory) => void): void {
  contract({ name: 'memory', open: async () => new MemoryStore() });

  const dir = mkdtempSync(join(tmpdir(), `undersigned-${label}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  contract({ name: 'sqlite (file, WAL)', open: () => openSqliteStore(join(dir, `${label}.db`)) });

  test('postgres: the server for the contract suite is reachable', async () => {
    const db = await createTestDatabase();
    await db.drop();
  });
  const databases: TestDatabase[] = [];
  after(async () => {
    for (const d of databases) await d.drop();
  });
  contract({
    name: 'postgres',
    open: async () => {
      const db = await createTestDatabase();
      databases.push(db);
      return openPostgresStore(db.url);
    },
  });
}
