/** Runs the one storage contract against every adapter. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { storeContract } from './store.case.ts';
import { MemoryStore } from './memory/index.ts';
import { openSqliteStore } from './sqlite/index.ts';

storeContract({ name: 'memory', open: async () => new MemoryStore() });

const dir = mkdtempSync(join(tmpdir(), 'undersigned-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
storeContract({ name: 'sqlite (file, WAL)', open: () => openSqliteStore(join(dir, 'contract.db')) });
