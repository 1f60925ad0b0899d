/** A published letter put straight into a store (before a served process opens it), as the serve tests need. */
import type { Store } from '../../src/core/ports.ts';
import { nodeLogCrypto } from '../../src/adapters/crypto/node-crypto.ts';
import { nodeSecrets } from '../../src/adapters/node-secrets.ts';
import { mailTemplates } from '../../src/adapters/mail/templates.ts';
import { logPublishedTexts } from '../../src/use-cases/steps/log-entries.ts';
import { letterFixture, versionsFixture } from '../../src/adapters/storage/store.case.ts';

export async function publishLetter(store: Store, slug: string, baseUrl: string): Promise<void> {
  await store.letters.insert(letterFixture({ slug, defaultLang: 'en' }), versionsFixture);
  const letter = (await store.letters.bySlug(slug))!;
  const deps = { store, clock: { now: () => new Date() }, secrets: nodeSecrets, templates: mailTemplates, baseUrl, log: { crypto: nodeLogCrypto, opening: () => new Uint8Array(32) }, signals: { mailQueued() {}, logQueued() {}, letterChanged() {} } };
  await store.transaction((tx) => logPublishedTexts(tx, deps, letter));
}
