/** Runs the updates contract against every adapter: memory, SQLite and PostgreSQL (never skipped). */
import { onEveryStore } from './every-store.ts';
import { updatesContract } from './updates.case.ts';

onEveryStore('updates', updatesContract);
