/**
 * The organiser's desk contract (DeskRepo and the use-cases over it): every Store adapter passes it. Run by
 * desk.contract.test.ts for memory, SQLite and PostgreSQL. Every state change is raced 20 at once.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Store } from '../../core/ports.ts';
import type { Deps } from '../../use-cases/deps.ts';
import { nodeSecrets } from '../node-secrets.ts';
import { nodeLogCrypto } from '../crypto/node-crypto.ts';
import { mailTemplates } from '../mail/templates.ts';
import { letterFixture, versionsFixture, type StoreFactory } from './store.case.ts';
import { addOrganiser, listOrganisers, removeOrganiser } from '../../use-cases/manage-organisers.ts';
import { addAdmin, approveOrganiser, revokeOrganiser } from '../../use-cases/instance-admins.ts';
import { setLetterState } from '../../use-cases/edit-letter.ts';
import { removeSignatures } from '../../use-cases/remove-signatures.ts';
import { setTitleChecked } from '../../use-cases/vet-title.ts';
import { importSignatures } from '../../use-cases/import-signatures.ts';
import { setShowNotable } from '../../use-cases/letter-settings.ts';
import { logPublishedTexts, logSignature } from '../../use-cases/steps/log-entries.ts';
import { signatureFixture } from './store.case.ts';

const at20 = <T>(f: (i: number) => Promise<T>) => Promise.allSettled(Array.from({ length: 20 }, (_, i) => f(i)));
const outcomes = (rs: PromiseSettledResult<unknown>[]) =>
  rs.map((r) => (r.status === 'fulfilled' ? String(r.value) : String((r.reason as { code?: string }).code ?? r.reason))).sort();

export function deskContract(factory: StoreFactory): void {
  describe(`desk contract: ${factory.name}`, () => {
    let store: Store;
    let deps: Deps;
    before(async () => {
      store = await factory.open();
      deps = {
        store,
        clock: { now: () => new Date('2026-01-01T00:00:00Z') },
        secrets: nodeSecrets,
        templates: mailTemplates,
        baseUrl: 'http://desk.example',
        log: { crypto: nodeLogCrypto, opening: () => new Uint8Array(randomBytes(32)) },
        signals: { mailQueued() {}, logQueued() {}, letterChanged() {} },
      };
    });
    after(() => store.close());

    test('repository: moderators, admins, approvals, tokens and the audit trail round-trip', async () => {
      const l = letterFixture({ organisers: ['a@example.org', 'b@example.org'] });
      await store.letters.insert(l, versionsFixture);
      await store.desk.setModerator(l.id, 'b@example.org', true);
      await store.desk.setModerator(l.id, 'b@example.org', true);
      assert.deepEqual(await store.desk.moderators(l.id), ['b@example.org']);
      await store.desk.setModerator(l.id, 'b@example.org', false);
      assert.deepEqual(await store.desk.moderators(l.id), []);

      assert.equal(await store.desk.addAdmin({ email: 'root@example.org', addedAt: '2026-01-01T00:00:00.000Z', addedBy: 'operator' }), true);
      assert.equal(await store.desk.isAdmin('root@example.org'), true);
      assert.deepEqual(await store.desk.admins(), [{ email: 'root@example.org', addedAt: '2026-01-01T00:00:00.000Z', addedBy: 'operator' }]);
      assert.equal(await store.desk.removeAdmin('root@example.org'), true);
      assert.equal(await store.desk.removeAdmin('root@example.org'), false);

      assert.equal(await store.desk.insertApproval({ email: 'p@example.org', status: 'pending', requestedAt: '2026-01-01T00:00:00.000Z' }), true);
      assert.equal(await store.desk.insertApproval({ email: 'p@example.org', status: 'approved', requestedAt: '2026-01-02T00:00:00.000Z' }), false);
      assert.equal(await store.desk.decideApproval('p@example.org', ['approved'], 'revoked', '2026-01-03T00:00:00.000Z', 'x'), false);
      assert.equal(await store.desk.decideApproval('p@example.org', ['pending'], 'approved', '2026-01-03T00:00:00.000Z', 'x'), true);
      assert.deepEqual(await store.desk.approval('p@example.org'), { email: 'p@example.org', status: 'approved', requestedAt: '2026-01-01T00:00:00.000Z', decidedAt: '2026-01-03T00:00:00.000Z', decidedBy: 'x' });
      assert.deepEqual((await store.desk.approvals('pending')).length, 0);

      const tok = { id: 'tok-' + l.id, tokenHash: 'hash-' + l.id, email: 'a@example.org', letterId: l.id, createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-02-01T00:00:00.000Z' };
      await store.desk.insertToken(tok);
      const got = await store.desk.tokenByHash(tok.tokenHash);
      assert.deepEqual([got?.id, got?.email, got?.letterId, got?.expiresAt, got?.revokedAt], [tok.id, tok.email, l.id, tok.expiresAt, undefined]);
      assert.equal((await store.desk.tokens('a@example.org')).length, 1);

      await store.desk.addAudit({ id: 'au1-' + l.id, letterId: l.id, at: '2026-01-01T00:00:00.000Z', actor: 'a@example.org', action: 'export', detail: { rows: 3, emails: true } });
      await store.desk.addAudit({ id: 'au2-' + l.id, letterId: l.id, at: '2026-01-02T00:00:00.000Z', actor: 'operator', action: 'publish', detail: {} });
      const audit = await store.desk.audit(l.id, 10);
      assert.deepEqual(audit.map((e) => e.action), ['publish', 'export']);
      assert.deepEqual(audit[1]!.detail, { rows: 3, emails: true });
    });

    test('races: 20 at once of adding an admin, approving, revoking and revoking a token: one change each', async () => {
      assert.deepEqual(outcomes(await at20(() => addAdmin(deps, 'race-admin@example.org'))), [...Array(19).fill('false'), 'true'].sort());
      await store.desk.insertApproval({ email: 'race-p@example.org', status: 'pending', requestedAt: '2026-01-01T00:00:00.000Z' });
      assert.deepEqual(outcomes(await at20(() => approveOrganiser(deps, 'race-p@example.org'))), [...Array(19).fill('false'), 'true'].sort());
      assert.deepEqual(outcomes(await at20(() => revokeOrganiser(deps, 'race-p@example.org'))), [...Array(19).fill('false'), 'true'].sort());
      await store.desk.insertToken({ id: 'race-tok', tokenHash: 'race-hash', email: 'a@example.org', createdAt: '2026-01-01T00:00:00.000Z' });
      assert.deepEqual(outcomes(await at20(() => store.desk.revokeToken('race-tok', '2026-01-02T00:00:00.000Z'))), [...Array(19).fill('false'), 'true'].sort());
    });

    test('races: 19 organisers added at once all stay; 20 owners removed at once leave exactly one (LAST_OWNER)', async () => {
      const l = letterFixture({ organisers: ['first@example.org'], state: 'draft' });
      await store.letters.insert(l, versionsFixture);
      const added = await at20((i) => (i < 19 ? addOrganiser(deps, l.slug, `o${i}@example.org`, i % 2 ? 'moderator' : 'owner', undefined).then((r) => r.changed) : Promise.resolve(true)));
      assert.deepEqual(outcomes(added), Array(20).fill('true'));
      const rows = await listOrganisers(deps, l.slug, undefined);
      assert.equal(rows.length, 20);
      assert.equal(rows.filter((r) => r.role === 'moderator').length, 9);
      // make everyone an owner, then remove all 20 at once
      for (const r of rows) if (r.role === 'moderator') await addOrganiser(deps, l.slug, r.email, 'owner', undefined);
      const removed = await at20((i) => removeOrganiser(deps, l.slug, rows[i]!.email, undefined).then(() => 'removed'));
      assert.deepEqual(outcomes(removed), ['LAST_OWNER', ...Array(19).fill('removed')].sort());
      assert.equal((await listOrganisers(deps, l.slug, undefined)).length, 1);
      const audit = await store.desk.audit(l.id, 100);
      assert.equal(audit.filter((e) => e.action === 'organiser-remove').length, 19);
    });

    test('races: 20 publishings of one draft at once: one publishes, one audit entry, the others are told it is open', async () => {
      const l = letterFixture({ state: 'draft' });
      await store.letters.insert(l, versionsFixture);
      const rs = await at20(() => setLetterState(deps, l.slug, 'open', undefined).then((x) => x.state));
      assert.deepEqual(outcomes(rs), ['open', ...Array(19).fill('LETTER_ILLEGAL_TRANSITION')].sort());
      assert.equal((await store.desk.audit(l.id, 100)).filter((e) => e.action === 'publish').length, 1);
    });

    test('races: 20 bulk removals of one selection at once: each signature removed once, one log entry each', async () => {
      const l = letterFixture({ organisers: ['o@example.org'] });
      await store.letters.insert(l, versionsFixture);
      const letter = (await store.letters.byId(l.id))!;
      await store.transaction((tx) => logPublishedTexts(tx, deps, letter));
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const sig = signatureFixture(l.id, { name: `Hassan Number${i}`, nameAlt: undefined, status: 'confirmed', confirmedAt: '2026-01-02T00:00:00.000Z', tokenHash: undefined });
        await store.transaction(async (tx) => {
          await tx.signatures.insert(sig);
          await logSignature(tx, deps, letter, sig);
        });
        ids.push(sig.id);
      }
      const keep = signatureFixture(l.id, { name: 'Zahra Moeini', nameAlt: undefined, status: 'confirmed', confirmedAt: '2026-01-02T00:00:00.000Z', tokenHash: undefined });
      await store.signatures.insert(keep);
      const preview = await removeSignatures(deps, l.slug, 'o@example.org', { filter: { q: 'hassan' }, reason: 'fraud', dryRun: true });
      assert.equal(preview.count, 5);
      const rs = await at20(() => removeSignatures(deps, l.slug, 'o@example.org', { filter: { q: 'hassan' }, reason: 'fraud', dryRun: false }).then((r) => r.count));
      const total = rs.reduce((n, r) => n + (r.status === 'fulfilled' ? (r.value as number) : 0), 0);
      assert.deepEqual(rs.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), []);
      assert.equal(total, 5, 'each signature removed exactly once');
      const pending = await store.log.pending(100_000);
      for (const id of ids) assert.equal(pending.filter((e) => e.signatureId === id && e.kind === 'remove').length, 1, id);
      assert.equal(await store.signatures.countConfirmed(l.id), 1);
      assert.equal((await store.desk.audit(l.id, 100)).filter((e) => e.action === 'remove').reduce((n, e) => n + Number(e.detail.count), 0), 5);
    });

    test('races: 20 checks of one title at once: one changes it, one audit entry', async () => {
      const l = letterFixture({ organisers: ['o@example.org'] });
      await store.letters.insert(l, versionsFixture);
      const sig = signatureFixture(l.id, { title: 'Professor', status: 'confirmed', confirmedAt: '2026-01-02T00:00:00.000Z', tokenHash: undefined });
      await store.signatures.insert(sig);
      const rs = await at20(() => setTitleChecked(deps, l.slug, sig.id, true, 'o@example.org'));
      assert.deepEqual(outcomes(rs), [...Array(19).fill('false'), 'true'].sort());
      assert.deepEqual(await store.desk.checkedTitles(l.id), [sig.id]);
      assert.equal((await store.desk.audit(l.id, 100)).filter((e) => e.action === 'vet').length, 1);
    });

    test('paper signatures: sources round-trip and count; 20 imports of one file at once add it once; the notable option', async () => {
      const l = letterFixture({ organisers: ['o@example.org'], state: 'open', imported: true });
      await store.letters.insert(l, versionsFixture);
      // A signatory of an imported letter: imported, with no record
      await store.signatures.insert(signatureFixture(l.id, { email: '', emailKey: 'imported:0', imported: true, status: 'confirmed', confirmedAt: '2026-01-02T00:00:00.000Z', tokenHash: undefined }));
      await store.signatures.insert(signatureFixture(l.id, { status: 'confirmed', confirmedAt: '2026-01-02T00:00:00.000Z', tokenHash: undefined }));
      const csv = 'name\n' + Array.from({ length: 12 }, (_, i) => `Paper Signer ${i}`).join('\n') + '\n';
      const rs = await at20(() => importSignatures(deps, l.slug, 'o@example.org', { source: 'paper', csv, dryRun: false }).then((r) => r.count));
      assert.deepEqual(outcomes(rs), [...Array(19).fill('ALREADY_IMPORTED'), '12'].sort());
      assert.equal(await store.signatures.countConfirmed(l.id), 14);
      assert.deepEqual(await store.desk.sourceCounts(l.id), { paper: 12, imported: 1 });
      const sources = await store.desk.signatureSources(l.id);
      assert.equal(sources.size, 12);
      const one = [...sources.values()][0]!;
      assert.equal(one.source, 'paper');
      assert.equal(one.addedBy, 'o@example.org');
      const imp = await store.desk.importByHash(l.id, 'no-such-hash');
      assert.equal(imp, undefined);
      assert.equal((await store.desk.audit(l.id, 100)).filter((e) => e.action === 'import').length, 1);
      const pending = await store.log.pending(100_000);
      assert.equal(pending.filter((e) => e.kind === 'sig' && sources.has(e.signatureId ?? '')).length, 12, 'one sig entry per paper signature');

      assert.equal(await store.desk.showNotable(l.id), false);
      const on = await at20(() => setShowNotable(deps, l.slug, 'o@example.org', true));
      assert.deepEqual(outcomes(on), [...Array(19).fill('false'), 'true'].sort());
      assert.equal(await store.desk.showNotable(l.id), true);
      assert.equal(await store.desk.setShowNotable(l.id, false), true);
      assert.equal(await store.desk.setShowNotable(l.id, false), false);
      assert.equal(await store.desk.showNotable(l.id), false);
    });

    test('paper signatures on a draft enter the log, naming their source, when it is published', async () => {
      const l = letterFixture({ organisers: ['o@example.org'], state: 'draft' });
      await store.letters.insert(l, versionsFixture);
      const r = await importSignatures(deps, l.slug, 'o@example.org', { source: 'paper', rows: [{ name: 'یک' }, { name: 'دو' }, { name: 'سه' }], dryRun: false });
      assert.equal(r.count, 3);
      const sources = await store.desk.signatureSources(l.id);
      const mine = async () => (await store.log.pending(100_000)).filter((e) => e.kind === 'sig' && sources.has(e.signatureId ?? ''));
      assert.equal((await mine()).length, 0, 'a draft logs nothing');
      await setLetterState(deps, l.slug, 'open', 'o@example.org');
      const entries = await mine();
      assert.equal(entries.length, 3);
      for (const e of entries) assert.ok(new TextDecoder().decode(e.bytes).endsWith('source paper\n'));
    });
  });
}
