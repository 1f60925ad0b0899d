/** Runs the deliveries contract against every adapter: memory, SQLite and PostgreSQL (never skipped). */
import { onEveryStore } from './every-store.ts';
import { deliveriesContract } from './deliveries.case.ts';

onEveryStore('deliveries', deliveriesContract);
