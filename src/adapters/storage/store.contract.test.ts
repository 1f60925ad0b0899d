/** Runs the one storage contract against every adapter: memory, SQLite and PostgreSQL (never skipped). */
import { onEveryStore } from './every-store.ts';
import { storeContract } from './store.case.ts';

onEveryStore('store', storeContract);
