/** Runs the log storage contract against every adapter: memory, SQLite and PostgreSQL (never skipped). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { logContract } from './log.case.ts';
import { MemoryStore } from './memory/index.ts';
import { openSqliteStore } from './sqlite/index.ts';
import { openPostgresStore } from './postgres/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.ts';

logContract({ name: 'memory', open: async () => new MemoryStore() });

const dir = mkdtempSync(join(tmpdir(), 'undersigned-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));
logContract({
  name: 'sqlite (file, WAL)',
  // A second connection to the same file stands for a second process (`serve --processes N`): the group commit waits
  // for the other's write lock without blocking the event loop, so both sequencers run here, one batch at a time.
  open: () => openSqliteStore(join(dir, 'log.db'), { foldIntervalMs: 0 }),
  second: () => openSqliteStore(join(dir, 'log.db'), { foldIntervalMs: 0 }),
});

const databases: TestDatabase[] = [];
after(async () => {
  for (const d of databases) await d.drop();
});
let url = '';
logContract({
  name: 'postgres',
  open: async () => {
    const db = await createTestDatabase();
    databases.push(db);
    url = db.url;
    return openPostgresStore(url, { foldIntervalMs: 0 });
  },
  second: () => openPostgresStore(url, { foldIntervalMs: 0 }),
});
