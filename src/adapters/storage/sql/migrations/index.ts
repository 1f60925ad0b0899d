/**
 * Schema migrations, written once with Kysely's schema builder so that both dialects share them. One file per
 * migration, named after it (`NNNN-name.ts`), exporting `(dialect, text) => Migration`: `dialect` for what differs,
 * `text` the text column type (dialect.ts textType). Never edit a released migration, nor its name: add one.
 *
 * A new migration: a file `NNNN-name.ts` here, and one line at the end of MIGRATIONS below, in number order.
 * Kysely runs them in the order of their names and records each name in the database.
 */
import type { Migration, MigrationProvider } from 'kysely';
import { textType, type Dialect, type TextType } from '../dialect.ts';
import { signingLoop } from './0001-signing-loop.ts';
import { counts } from './0002-counts.ts';
import { reviews } from './0003-reviews.ts';
import { transparencyLog } from './0004-transparency-log.ts';
import { rateLimits } from './0005-rate-limits.ts';
import { versionAddressee } from './0006-version-addressee.ts';
import { rateLimitsUnlogged } from './0007-rate-limits-unlogged.ts';
import { outboxQueue } from './0008-outbox-queue.ts';
import { logEntriesDuplicates } from './0009-log-entries-duplicates.ts';
import { mailboxKeys } from './0012-mailbox-keys.ts';
import { deliveries } from './0013-deliveries.ts';
import { mailFailures } from './0014-mail-failures.ts';
import { nameKeyVersions } from './0015-name-key-versions.ts';
import { signatureSources } from './0016-signature-sources.ts';
import { updatesReplies } from './0017-updates-replies.ts';
import { held } from './0019-held.ts';
import { updateFanout } from './0020-update-fanout.ts';
import { deskMigration, titleChecksMigration } from '../desk.ts';

/** Every migration, in order: its name as recorded in the database, and how it is made for a dialect. */
const MIGRATIONS: readonly [name: string, make: (dialect: Dialect, text: TextType) => Migration][] = [
  ['0001_signing_loop', signingLoop],
  ['0002_counts', counts],
  ['0003_reviews', reviews],
  ['0004_transparency_log', transparencyLog],
  ['0005_rate_limits', rateLimits],
  ['0006_version_addressee', versionAddressee],
  ['0007_rate_limits_unlogged', rateLimitsUnlogged],
  ['0008_outbox_queue', outboxQueue],
  ['0009_log_entries_duplicates', logEntriesDuplicates],
  ['0012_mailbox_keys', mailboxKeys],
  ['0011_desk', (_d, text) => deskMigration(text)],
  ['0011b_title_checks', (_d, text) => titleChecksMigration(text)],
  ['0013_deliveries', deliveries],
  ['0014_mail_failures', mailFailures],
  ['0015_name_key_versions', nameKeyVersions],
  ['0016_signature_sources', signatureSources],
  ['0017_updates_replies', updatesReplies],
  ['0019_held', held],
  ['0020_update_fanout', updateFanout],
  // New migrations here, one line each, in number order (a migration object that takes no dialect: `() => object`).
];

export class StaticMigrations implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const text = textType(this.dialect);
    return Object.fromEntries(MIGRATIONS.map(([name, make]) => [name, make(this.dialect, text)]));
  }
}
