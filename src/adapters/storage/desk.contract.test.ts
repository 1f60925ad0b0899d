/** Runs the desk contract against every adapter: memory, SQLite and PostgreSQL (never skipped). */
import { onEveryStore } from './every-store.ts';
import { deskContract } from './desk.case.ts';

onEveryStore('desk', deskContract);
