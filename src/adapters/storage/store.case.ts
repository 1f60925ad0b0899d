/**
 * The storage contract: every Store adapter (memory, SQLite, PostgreSQL) must pass these cases.
 * Run by store.contract.test.ts once per adapter.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../core/ports.ts';
import type { Letter, LetterVersion, Signature } from '../../core/model.ts';

export interface StoreFactory {
  name: string;
  /** A fresh, empty, migrated store. */
  open(): Promise<Store>;
}

let seq = 0;
const id = (p: string) => `${p}-${process.pid}-${++seq}`;

export function letterFixture(over: Partial<Letter> = {}): Letter {
  return {
    id: id('l'),
    slug: id('slug'),
    addressee: { name: 'President', title: 'Head of State' },
    defaultLang: 'fa',
    goal: 100,
    state: 'open',
    textVersion: 1,
    organisers: ['org@example.org'],
    imported: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

export const versionsFixture: LetterVersion[] = [
  { lang: 'fa', title: 'نامه', body: 'متن **نامه**', statement: 'امضا می‌کنم', addressee: { name: 'ایلیر متا', title: 'رئیس‌جمهور آلبانی' } },
  { lang: 'en', title: 'Letter', body: 'The *letter*' },
];

export function signatureFixture(letterId: string, over: Partial<Signature> = {}): Signature {
  const sid = id('s');
  return {
    id: sid,
    letterId,
    email: `${sid}@Example.org`,
    emailKey: `${sid}@example.org`,
    name: 'علی‌رضا كاظمي',
    nameAlt: 'Alireza Kazemi',
    visibility: 'public',
    lang: 'fa',
    consentUpdates: false,
    status: 'pending',
    textVersion: 1,
    tokenHash: id('h'),
    tokenExpiresAt: '2026-01-08T00:00:00.000Z',
    mailsSent: 1,
    imported: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

export function storeContract(factory: StoreFactory): void {
  describe(`Store contract: ${factory.name}`, () => {
    let store: Store;
    before(async () => {
      store = await factory.open();
    });
    after(async () => {
      await store.close();
    });

    test('a letter round-trips with its versions in order, organisers and optional fields', async () => {
      const l = letterFixture({ organisers: ['b@example.org', 'a@example.org'] });
      await store.letters.insert(l, versionsFixture);
      const got = await store.letters.bySlug(l.slug);
      assert.ok(got);
      assert.deepEqual(got.versions, versionsFixture.map((v) => ({ ...v, statement: v.statement, addressee: v.addressee })));
      assert.deepEqual(got.organisers, ['a@example.org', 'b@example.org']);
      assert.equal(got.goal, 100);
      assert.equal(got.addressee.title, 'Head of State');
      assert.equal(got.imported, false);
      assert.deepEqual((await store.letters.byId(l.id))?.slug, l.slug);
      assert.equal(await store.letters.bySlug('no-such-letter'), undefined);
    });

    test('slugs are unique', async () => {
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      await assert.rejects(store.letters.insert(letterFixture({ slug: l.slug }), versionsFixture));
    });

    test('a new text version is read instead of the old one; the old one is kept', async () => {
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      await store.letters.putVersions(l.id, 2, [{ lang: 'en', title: 'Letter v2', body: 'new' }]);
      assert.equal((await store.letters.byId(l.id))?.versions.length, 2, 'still reads text version 1');
      await store.letters.update({ ...l, textVersion: 2, state: 'closed', goal: undefined });
      const got = await store.letters.byId(l.id);
      assert.deepEqual(got?.versions, [{ lang: 'en', title: 'Letter v2', body: 'new', statement: undefined, addressee: undefined }]);
      assert.equal(got?.state, 'closed');
      assert.equal(got?.goal, undefined);
      assert.deepEqual(await store.letters.stateOf(l.id), { state: 'closed', textVersion: 2, updatedAt: l.updatedAt });
      assert.equal(await store.letters.stateOf('no-such-id'), undefined);
    });

    test('letters list filters by state and organiser', async () => {
      const org = `${id('org')}@example.org`;
      const a = letterFixture({ organisers: [org], state: 'draft' });
      const b = letterFixture({ organisers: [org], state: 'open', createdAt: '2026-02-01T00:00:00.000Z' });
      await store.letters.insert(a, versionsFixture);
      await store.letters.insert(b, versionsFixture);
      const mine = await store.letters.list({ organiser: org });
      assert.deepEqual(mine.map((l) => l.id), [b.id, a.id], 'newest first');
      assert.deepEqual((await store.letters.list({ organiser: org, state: 'draft' })).map((l) => l.id), [a.id]);
      assert.ok((await store.letters.list()).length >= 2);
    });

    test('one signature per letter and email key; a second insert changes nothing', async () => {
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      const s = signatureFixture(l.id);
      assert.equal(await store.signatures.insert(s), true);
      assert.equal(await store.signatures.insert({ ...signatureFixture(l.id), emailKey: s.emailKey, name: 'Other' }), false);
      assert.equal((await store.signatures.byEmail(l.id, s.emailKey))?.name, s.name);
      // A conditional replace: only over the row as it was read.
      const read = (await store.signatures.byEmail(l.id, s.emailKey))!;
      assert.equal(await store.signatures.updateIfUnchanged({ ...read, mailsSent: 1, updatedAt: '2026-01-03T00:00:00.000Z' }, read), true);
      assert.equal(await store.signatures.updateIfUnchanged({ ...read, mailsSent: 9, name: 'Late' }, read), false, 'changed since read');
      assert.equal((await store.signatures.byEmail(l.id, s.emailKey))?.mailsSent, 1);
      assert.equal(await store.signatures.updateIfUnchanged({ ...read, id: 'no-such-id' }, { ...read, id: 'no-such-id' }), false);
      // The same address may sign another letter.
      const l2 = letterFixture();
      await store.letters.insert(l2, versionsFixture);
      assert.equal(await store.signatures.insert(signatureFixture(l2.id, { emailKey: s.emailKey })), true);
    });

    test('names keep exactly what was typed (ZWNJ, Arabic-keyboard letters)', async () => {
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      const s = signatureFixture(l.id, { name: 'علی\u200Cرضا كاظمي', status: 'confirmed', confirmedAt: '2026-01-02T00:00:00.000Z' });
      await store.signatures.insert(s);
      const [pub] = await store.signatures.listPublic(l.id);
      assert.equal(pub?.name, 'علی\u200Cرضا كاظمي');
    });

    test('counts include confirmed only; the public list excludes hidden, pending and withdrawn, and has no email', async () => {
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      const at = '2026-01-02T00:00:00.000Z';
      const pub = signatureFixture(l.id, { status: 'confirmed', confirmedAt: at, name: 'Public One' });
      const hidden = signatureFixture(l.id, { status: 'confirmed', confirmedAt: at, visibility: 'hidden', name: 'Hidden One' });
      const pending = signatureFixture(l.id, { name: 'Pending One' });
      const withdrawn = signatureFixture(l.id, { status: 'withdrawn', confirmedAt: at, name: 'Gone One' });
      for (const s of [pub, hidden, pending, withdrawn]) await store.signatures.insert(s);
      assert.equal(await store.signatures.countConfirmed(l.id), 2);
      const list = await store.signatures.listPublic(l.id);
      assert.deepEqual(list.map((x) => x.name), ['Public One']);
      assert.equal(JSON.stringify(list).includes('@'), false, 'no email in public rows');
    });

    test('signatures are found by token hash and id, and updates persist', async () => {
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      const s = signatureFixture(l.id);
      await store.signatures.insert(s);
      const found = await store.signatures.byTokenHash(s.tokenHash!);
      assert.equal(found?.id, s.id);
      await store.signatures.update({ ...s, status: 'confirmed', tokenHash: undefined, confirmedAt: '2026-01-03T00:00:00.000Z', mailsSent: 2 });
      assert.equal(await store.signatures.byTokenHash(s.tokenHash!), undefined);
      const after = await store.signatures.byId(s.id);
      assert.equal(after?.status, 'confirmed');
      assert.equal(after?.mailsSent, 2);
      assert.equal(after?.consentUpdates, false);
    });

    test('a failed transaction leaves nothing behind', async () => {
      const l = letterFixture();
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.letters.insert(l, versionsFixture);
          await tx.outbox.enqueue({ id: id('job'), kind: 'mail', payload: { to: 'x@example.org', subject: 's', text: 't', lang: 'en', template: 'confirm' }, runAt: '2026-01-01T00:00:00.000Z', attempts: 0, createdAt: '2026-01-01T00:00:00.000Z' });
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await store.letters.byId(l.id), undefined);
    });

    test('outbox: idempotent enqueue, claim leases, retry with backoff, complete', async () => {
      const jobId = id('job');
      const job = { id: jobId, kind: 'mail' as const, payload: { to: 'x@example.org', subject: 'Ş', text: 'متن', lang: 'fa', template: 'confirm' }, runAt: '2026-01-01T00:00:00.000Z', attempts: 0, createdAt: '2026-01-01T00:00:00.000Z' };
      await store.outbox.enqueue(job);
      await store.outbox.enqueue({ ...job, payload: { ...job.payload, subject: 'changed' } });
      const now = '2026-01-01T00:00:01.000Z';
      const claimed = (await store.outbox.claim(now, '2026-01-01T00:01:00.000Z', 100)).filter((j) => j.id === jobId);
      assert.equal(claimed.length, 1);
      assert.equal(claimed[0]?.attempts, 1);
      assert.equal(claimed[0]?.payload.subject, 'Ş', 'the first enqueue wins');
      assert.equal(claimed[0]?.payload.text, 'متن');
      // Leased: a second worker cannot claim it.
      assert.equal((await store.outbox.claim(now, '2026-01-01T00:01:00.000Z', 100)).filter((j) => j.id === jobId).length, 0);
      await store.outbox.retryLater(jobId, '2026-01-01T00:05:00.000Z', 'SMTP down');
      assert.equal((await store.outbox.claim('2026-01-01T00:02:00.000Z', '2026-01-01T00:03:00.000Z', 100)).filter((j) => j.id === jobId).length, 0, 'not due yet');
      const again = (await store.outbox.claim('2026-01-01T00:06:00.000Z', '2026-01-01T00:07:00.000Z', 100)).filter((j) => j.id === jobId);
      assert.equal(again[0]?.attempts, 2);
      assert.equal(again[0]?.lastError, 'SMTP down');
      await store.outbox.complete(jobId, '2026-01-01T00:06:01.000Z');
      assert.equal((await store.outbox.claim('2026-01-02T00:00:00.000Z', '2026-01-02T00:01:00.000Z', 100)).filter((j) => j.id === jobId).length, 0);
      const listed = (await store.outbox.list()).find((j) => j.id === jobId);
      assert.equal(listed?.doneAt, '2026-01-01T00:06:01.000Z');
      assert.equal((await store.outbox.list({ pendingOnly: true })).some((j) => j.id === jobId), false);
    });

    test('outbox: a sent mail keeps only its address, language and template (no link, token or text); erasure still finds it', async () => {
      const to = `${id('sent')}@example.org`;
      const link = 'https://letters.example.org/fa/confirm?token=SECRET-confirm';
      const withdrawLink = 'https://letters.example.org/fa/withdraw?token=SECRET-withdraw';
      const at = '2031-01-01T00:00:00.000Z';
      const templated = { id: id('job'), kind: 'mail' as const, payload: { to, lang: 'fa', template: 'confirm' as const, params: { letterTitle: 'نامه', name: 'مریم', link, expiresAt: '2031-01-08T00:00:00.000Z', withdrawLink } }, runAt: at, attempts: 0, createdAt: at };
      const rendered = { id: id('job'), kind: 'mail' as const, payload: { to, subject: 'Confirm: نامه', text: `Confirm: ${link}\nWithdraw: ${withdrawLink}`, html: `<a href="${withdrawLink}">withdraw</a>`, lang: 'en', template: 'confirm' }, runAt: at, attempts: 0, createdAt: at };
      const pending = { ...rendered, id: id('job') };
      for (const j of [templated, rendered, pending]) await store.outbox.enqueue(j);
      await Promise.all([store.outbox.complete(templated.id, '2031-01-01T00:00:01.000Z'), store.outbox.complete(rendered.id, '2031-01-01T00:00:02.000Z')]);
      const mine = async () => new Map((await store.outbox.list({ limit: 100_000 })).filter((j) => j.payload.to === to).map((j) => [j.id, j]));
      const rows = await mine();
      assert.deepEqual(rows.get(templated.id)?.payload, { to, lang: 'fa', template: 'confirm' });
      assert.deepEqual(rows.get(rendered.id)?.payload, { to, lang: 'en', template: 'confirm' });
      assert.equal(rows.get(rendered.id)?.doneAt, '2031-01-01T00:00:02.000Z');
      assert.doesNotMatch(JSON.stringify([rows.get(templated.id), rows.get(rendered.id)]), /SECRET|token|https?:|Confirm:|withdraw/);
      // A mail not sent yet keeps everything the worker needs to send it.
      assert.deepEqual(rows.get(pending.id)?.payload, pending.payload);
      // Erasure finds a person's rows by the address, sent or not.
      await store.log.forgetSigner(id('gone'), to);
      assert.deepEqual([...(await mine()).keys()], []);
    });

    test('outbox: a mail refused for good is never claimed again, keeps no link, and its address is undeliverable until erased', async () => {
      const to = `${id('Refused')}@Example.org`;
      const at = '2032-01-01T00:00:00.000Z';
      const link = 'https://letters.example.org/en/confirm?token=SECRET-refused';
      const job = { id: id('job'), kind: 'mail' as const, payload: { to, lang: 'en', template: 'confirm' as const, params: { letterTitle: 'L', name: 'N', link, expiresAt: at, withdrawLink: link } }, runAt: at, attempts: 0, createdAt: at };
      const before = await store.outbox.stats(at);
      await store.outbox.enqueue(job);
      const waiting = await store.outbox.stats(at);
      assert.equal(waiting.waiting, before.waiting + 1);
      assert.equal((await store.outbox.claim(at, '2032-01-01T00:01:00.000Z', 100_000)).filter((j) => j.id === job.id).length, 1);
      await store.outbox.fail(job.id, '2032-01-01T00:00:05.000Z', '550 5.1.1 No such mailbox');
      // A second report (another process's retry of the same row) changes nothing.
      await store.outbox.fail(job.id, '2032-01-01T00:09:00.000Z', 'later');
      const after = await store.outbox.stats('2032-01-01T00:10:00.000Z');
      assert.equal(after.waiting, before.waiting);
      assert.equal(after.undeliverable, before.undeliverable + 1);
      assert.equal((await store.outbox.claim('2033-01-01T00:00:00.000Z', '2033-01-01T00:01:00.000Z', 100_000)).filter((j) => j.id === job.id).length, 0);
      const row = (await store.outbox.list({ limit: 100_000 })).find((j) => j.id === job.id);
      assert.equal(row?.failedAt, '2032-01-01T00:00:05.000Z');
      assert.equal(row?.doneAt, '2032-01-01T00:00:05.000Z');
      assert.equal(row?.lastError, '550 5.1.1 No such mailbox');
      assert.doesNotMatch(JSON.stringify(row?.payload), /SECRET|https?:/);
      const found = await store.outbox.undeliverable([to.toUpperCase(), 'someone-else@example.org']);
      assert.deepEqual(found, [{ email: to.toLowerCase(), reason: '550 5.1.1 No such mailbox', failedAt: '2032-01-01T00:00:05.000Z' }]);
      await store.log.forgetSigner(id('gone'), to);
      assert.deepEqual(await store.outbox.undeliverable([to]), []);
      assert.equal((await store.outbox.stats(at)).undeliverable, before.undeliverable);
    });

    test('outbox stats: waiting, retrying and the oldest waiting mail', async () => {
      const at = '2034-01-01T00:00:00.000Z';
      const before = await store.outbox.stats(at);
      const a = { id: id('job'), kind: 'mail' as const, payload: { to: 'a@example.org', subject: 's', text: 't', lang: 'en', template: 'confirm' }, runAt: at, attempts: 0, createdAt: '2000-01-01T00:00:00.000Z' };
      await store.outbox.enqueue(a);
      await store.outbox.claim('2034-01-01T00:00:00.000Z', '2034-01-01T00:01:00.000Z', 100_000);
      await store.outbox.retryLater(a.id, '2034-01-01T00:05:00.000Z', '421 try later');
      const s = await store.outbox.stats('2034-01-01T00:02:00.000Z');
      assert.equal(s.waiting, before.waiting + 1);
      assert.ok(s.retrying >= 1);
      assert.equal(s.oldestWaitingSince, '2000-01-01T00:00:00.000Z');
      await store.outbox.complete(a.id, '2034-01-01T00:05:01.000Z');
      assert.equal((await store.outbox.stats('2034-01-01T00:06:00.000Z')).waiting, before.waiting);
    });

    test('outbox: an expired lease can be claimed again (a worker died)', async () => {
      const jobId = id('job');
      await store.outbox.enqueue({ id: jobId, kind: 'mail', payload: { to: 'x@example.org', subject: 's', text: 't', lang: 'en', template: 'confirm' }, runAt: '2030-01-01T00:00:00.000Z', attempts: 0, createdAt: '2030-01-01T00:00:00.000Z' });
      assert.equal((await store.outbox.claim('2030-01-01T00:00:00.000Z', '2030-01-01T00:01:00.000Z', 100)).filter((j) => j.id === jobId).length, 1);
      assert.equal((await store.outbox.claim('2030-01-01T00:02:00.000Z', '2030-01-01T00:03:00.000Z', 100)).filter((j) => j.id === jobId).length, 1);
    });

    test('organisers and letters order by code point on every adapter (not by a locale collation)', async () => {
      const org = `${id('org')}@example.org`;
      const l = letterFixture({ organisers: ['b@example.org', 'B@example.org', 'a@example.org', '_@example.org'] });
      await store.letters.insert(l, versionsFixture);
      assert.deepEqual((await store.letters.byId(l.id))?.organisers, ['B@example.org', '_@example.org', 'a@example.org', 'b@example.org']);
      // Same creation time: the id breaks the tie, in code point order ('Z' < 'a').
      const at = '2026-03-01T00:00:00.000Z';
      const lower = letterFixture({ id: `${id('tie')}-a`, organisers: [org], createdAt: at });
      const upper = letterFixture({ id: `${lower.id.slice(0, -2)}-Z`, organisers: [org], createdAt: at });
      await store.letters.insert(lower, versionsFixture);
      await store.letters.insert(upper, versionsFixture);
      assert.deepEqual((await store.letters.list({ organiser: org })).map((x) => x.id), [upper.id, lower.id]);
    });

    test('concurrent inserts of one (letter, email key) leave exactly one signature', async () => {
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      const emailKey = `${id('dup')}@example.org`;
      const confirmedAt = '2026-01-02T00:00:00.000Z';
      // Half in transactions (as the sign use-case does, with its outbox row), half alone; all at once, so that on
      // PostgreSQL they run on separate pooled connections and meet at the unique index.
      const attempts = Array.from({ length: 8 }, (_, i) => {
        const s = signatureFixture(l.id, { emailKey, status: 'confirmed', confirmedAt, name: `Try ${i}` });
        return i % 2
          ? store.signatures.insert(s)
          : store.transaction(async (tx) => {
              const inserted = await tx.signatures.insert(s);
              if (inserted) {
                await tx.outbox.enqueue({ id: `confirm:${l.id}:${emailKey}`, kind: 'mail', payload: { to: emailKey, subject: 's', text: 't', lang: 'en', template: 'confirm' }, runAt: '2099-01-01T00:00:00.000Z', attempts: 0, createdAt: confirmedAt });
              }
              return inserted;
            });
      });
      const results = await Promise.all(attempts);
      assert.equal(results.filter(Boolean).length, 1, `exactly one insert reports success: ${results.join(',')}`);
      assert.equal(await store.signatures.countConfirmed(l.id), 1);
      assert.equal((await store.signatures.listPublic(l.id)).length, 1);
      const kept = await store.signatures.byEmail(l.id, emailKey);
      assert.equal(`Try ${results.indexOf(true)}`, kept?.name, 'the row kept is the one whose insert reported success');
    });

    test('insertFirstSignature: signature, signer token and mail together, only on the letter as read and a new address', async () => {
      const l = letterFixture({ updatedAt: '2026-01-03T00:00:00.000Z' });
      await store.letters.insert(l, versionsFixture);
      const asRead = { id: l.id, state: l.state, textVersion: l.textVersion, updatedAt: l.updatedAt };
      const first = (over: Partial<Signature> = {}) => {
        const s = signatureFixture(l.id, over);
        const job = { id: `confirm:${s.id}:1`, kind: 'mail' as const, payload: { to: s.email, subject: 's', text: 't', lang: 'fa', template: 'confirm' as const }, runAt: '2099-01-01T00:00:00.000Z', attempts: 0, createdAt: s.createdAt };
        return { letter: asRead, signature: s, signerToken: { tokenHash: id('wt'), purpose: 'withdraw' as const, createdAt: s.createdAt }, job };
      };
      const wrote = async (f: ReturnType<typeof first>) => ({
        signature: (await store.signatures.byId(f.signature.id)) !== undefined,
        token: (await store.log.signerToken(f.signerToken.tokenHash))?.signatureId === f.signature.id,
        job: (await store.outbox.list({ limit: 10_000 })).some((j) => j.id === f.job.id),
      });
      const all = { signature: true, token: true, job: true };
      const none = { signature: false, token: false, job: false };

      const ok = first();
      assert.equal(await store.insertFirstSignature(ok), true);
      assert.deepEqual(await wrote(ok), all);
      const stored = await store.signatures.byEmail(l.id, ok.signature.emailKey);
      assert.deepEqual(JSON.parse(JSON.stringify(stored)), JSON.parse(JSON.stringify(ok.signature)), 'the row as given');
      assert.deepEqual((await store.outbox.list({ limit: 10_000 })).find((j) => j.id === ok.job.id)?.payload, ok.job.payload);
      // With a manage token: both tokens land, the manage one with its purpose.
      const managed = { ...first(), manageToken: { tokenHash: id('mt'), createdAt: '2026-01-03T00:00:00.000Z' } };
      assert.equal(await store.insertFirstSignature(managed), true);
      assert.deepEqual(await store.log.signerToken(managed.manageToken.tokenHash), { signatureId: managed.signature.id, purpose: 'manage' });
      assert.equal((await store.log.signerToken(managed.signerToken.tokenHash))?.purpose, 'withdraw');

      // The same address (another id, token and job): nothing at all.
      const again = first({ email: ok.signature.email.toUpperCase(), emailKey: ok.signature.emailKey });
      assert.equal(await store.insertFirstSignature(again), false);
      assert.deepEqual(await wrote(again), none);

      // A letter that changed since it was read, in any of the three, or that is not there: nothing.
      for (const letter of [{ ...asRead, state: 'closed' as const }, { ...asRead, textVersion: 2 }, { ...asRead, updatedAt: '2026-01-04T00:00:00.000Z' }, { ...asRead, id: id('gone') }]) {
        const f = { ...first(), letter };
        assert.equal(await store.insertFirstSignature(f), false, JSON.stringify(letter));
        assert.deepEqual(await wrote(f), none);
      }
      await store.letters.update({ ...l, state: 'closed' });
      const closed = first();
      assert.equal(await store.insertFirstSignature(closed), false, 'closed meanwhile, same last change');
      assert.deepEqual(await wrote(closed), none);
    });

    test('insertFirstSignature: concurrent attempts for one address leave one signature with one token and one mail', async () => {
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      const emailKey = `${id('race')}@example.org`;
      const tries = Array.from({ length: 8 }, (_, i) => {
        const s = signatureFixture(l.id, { emailKey, name: `Try ${i}` });
        return { letter: { id: l.id, state: l.state, textVersion: l.textVersion, updatedAt: l.updatedAt }, signature: s, signerToken: { tokenHash: id('wt'), purpose: 'withdraw' as const, createdAt: s.createdAt }, job: { id: `confirm:${s.id}:1`, kind: 'mail' as const, payload: { to: emailKey, subject: 's', text: 't', lang: 'en', template: 'confirm' as const }, runAt: '2099-01-01T00:00:00.000Z', attempts: 0, createdAt: s.createdAt } };
      });
      const results = await Promise.all(tries.map((t) => store.insertFirstSignature(t)));
      assert.equal(results.filter(Boolean).length, 1, results.join(','));
      const winner = tries[results.indexOf(true)]!;
      assert.equal((await store.signatures.byEmail(l.id, emailKey))?.id, winner.signature.id);
      const jobs = (await store.outbox.list({ limit: 10_000 })).filter((j) => tries.some((t) => t.job.id === j.id));
      assert.deepEqual(jobs.map((j) => j.id), [winner.job.id]);
      for (const t of tries) assert.equal(Boolean(await store.log.signerToken(t.signerToken.tokenHash)), t === winner);
    });

    test('outbox: concurrent claims never return the same job, and together claim every due job', async () => {
      // A time window of its own: every other case's jobs are due earlier and leased or done by now... except
      // the ones they left pending, which these claims may also take; only this case's jobs are counted.
      const now = '2040-01-01T00:00:00.000Z';
      const lease = '2040-01-01T01:00:00.000Z';
      const mine = new Set<string>();
      for (let i = 0; i < 60; i++) {
        const jobId = id('race');
        mine.add(jobId);
        await store.outbox.enqueue({ id: jobId, kind: 'mail', payload: { to: 'x@example.org', subject: `${i}`, text: 't', lang: 'en', template: 'confirm' }, runAt: `2039-12-31T23:${String(i).padStart(2, '0')}:00.000Z`, attempts: 0, createdAt: now });
      }
      const seen = new Map<string, number>();
      for (let round = 0; round < 20; round++) {
        // Eight workers at once, each taking a few jobs: on PostgreSQL each claim runs on its own pooled connection.
        const batches = await Promise.all(Array.from({ length: 8 }, () => store.outbox.claim(now, lease, 3)));
        let got = 0;
        for (const job of batches.flat()) {
          if (!mine.has(job.id)) continue;
          got++;
          seen.set(job.id, (seen.get(job.id) ?? 0) + 1);
          assert.equal(job.attempts, 1);
          assert.equal(job.lockedUntil, lease);
        }
        if (got === 0 && batches.every((b) => b.length === 0)) break;
      }
      const twice = [...seen].filter(([, c]) => c > 1).map(([j]) => j);
      assert.deepEqual(twice, [], 'no job claimed twice');
      assert.equal(seen.size, mine.size, 'every due job was claimed');
      // Leased: nothing of this case is claimable until the lease ends.
      assert.equal((await store.outbox.claim(now, lease, 1000)).filter((j) => mine.has(j.id)).length, 0);
    });

    test('counts: exact per letter, country and hour before and after folding; withdrawals and visibility changes count', async () => {
      const l = letterFixture();
      const other = letterFixture();
      await store.letters.insert(l, versionsFixture);
      await store.letters.insert(other, versionsFixture);
      const mk = (over: Partial<Signature>) => signatureFixture(l.id, { status: 'confirmed', confirmedAt: '2026-01-02T03:04:05.000Z', ...over });
      const ir1 = mk({ country: 'IR' });
      const ir2 = mk({ country: 'IR', visibility: 'hidden', confirmedAt: '2026-01-02T04:00:00.000Z' });
      const de = mk({ country: 'DE', confirmedAt: '2026-01-02T04:59:59.999Z' });
      const none = mk({ country: undefined });
      const pending = signatureFixture(l.id, { country: 'FR' });
      for (const s of [ir1, ir2, de, none, pending]) await store.signatures.insert(s);
      await store.signatures.insert(signatureFixture(other.id, { status: 'confirmed', confirmedAt: '2026-01-02T03:00:00.000Z', country: 'IR' }));
      const expected = {
        count: 4,
        publicCount: 3,
        byCountry: { IR: 2, DE: 1, '': 1 },
        hourly: [{ hour: '2026-01-02T03:00:00Z', count: 2 }, { hour: '2026-01-02T04:00:00Z', count: 2 }],
      };
      assert.deepEqual(await store.signatures.stats(l.id), expected);
      assert.equal(await store.signatures.countConfirmed(l.id), 4);
      while ((await store.foldCounts()) > 0);
      assert.deepEqual(await store.signatures.stats(l.id), expected, 'the same after folding');
      assert.equal(await store.signatures.countConfirmed(l.id), 4);
      assert.equal(await store.signatures.countConfirmed(other.id), 1);

      // Changes that count nothing (name, token, mails) leave the counts alone.
      await store.signatures.update({ ...ir1, name: 'Renamed', tokenHash: undefined, mailsSent: 3 });
      assert.equal(await store.signatures.countConfirmed(l.id), 4);
      // A withdrawal decrements its country and its hour; a confirmation increments.
      await store.signatures.update({ ...de, status: 'withdrawn', withdrawnAt: '2026-01-03T00:00:00.000Z' });
      await store.signatures.update({ ...pending, status: 'confirmed', confirmedAt: '2026-01-05T10:00:00.000Z' });
      // Visibility: still counted, leaves the public count.
      await store.signatures.update({ ...ir1, visibility: 'hidden' });
      const after = {
        count: 4,
        publicCount: 2,
        byCountry: { IR: 2, '': 1, FR: 1 },
        hourly: [{ hour: '2026-01-02T03:00:00Z', count: 2 }, { hour: '2026-01-02T04:00:00Z', count: 1 }, { hour: '2026-01-05T10:00:00Z', count: 1 }],
      };
      assert.deepEqual(await store.signatures.stats(l.id), after);
      while ((await store.foldCounts(2)) > 0);
      assert.deepEqual(await store.signatures.stats(l.id), after, 'the same after folding in small batches');
      assert.equal(await store.signatures.countConfirmed(l.id), 4);
      assert.deepEqual(await store.signatures.stats('no-such-letter'), { count: 0, publicCount: 0, byCountry: {}, hourly: [] });
    });

    test('counts: concurrent confirmations, withdrawals and folds stay exact', async () => {
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      const sigs = Array.from({ length: 60 }, (_, i) => signatureFixture(l.id, { country: i % 3 ? 'IR' : 'SE' }));
      for (const s of sigs) await store.signatures.insert(s);
      const confirmAt = (i: number) => `2026-02-01T0${i % 4}:00:00.000Z`;
      // Confirm all, withdraw every fifth, with folds racing the writes.
      await Promise.all([
        ...sigs.map((s, i) =>
          store.transaction(async (tx) => {
            await tx.signatures.update({ ...s, status: 'confirmed', confirmedAt: confirmAt(i) });
            if (i % 5 === 0) await tx.signatures.update({ ...s, status: 'withdrawn', confirmedAt: confirmAt(i), withdrawnAt: '2026-02-02T00:00:00.000Z' });
          }),
        ),
        ...Array.from({ length: 6 }, () => store.foldCounts(7)),
      ]);
      const st = await store.signatures.stats(l.id);
      assert.equal(st.count, 48);
      assert.equal(st.count, Object.values(st.byCountry).reduce((a, b) => a + b, 0));
      assert.equal(st.count, st.hourly.reduce((a, b) => a + b.count, 0));
      while ((await store.foldCounts()) > 0);
      assert.deepEqual(await store.signatures.stats(l.id), st);
    });

    test('changes: rows of one letter by (updatedAt, id) after a cursor, with whether each is listed', async () => {
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      const t = (s: number) => `2026-03-01T00:00:0${s}.000Z`;
      const a = signatureFixture(l.id, { id: `${id('c')}-a`, status: 'confirmed', confirmedAt: t(1), updatedAt: t(1) });
      const b = signatureFixture(l.id, { id: `${a.id.slice(0, -2)}-b`, status: 'confirmed', confirmedAt: t(1), updatedAt: t(1), visibility: 'hidden' });
      const c = signatureFixture(l.id, { status: 'pending', updatedAt: t(2) });
      const d = signatureFixture(l.id, { status: 'withdrawn', confirmedAt: t(1), updatedAt: t(3) });
      for (const s of [d, c, b, a]) await store.signatures.insert(s);
      const all = await store.signatures.changes(l.id, { limit: 10 });
      assert.deepEqual(all.map((x) => [x.sig.id, x.listed, x.updatedAt]), [[a.id, true, t(1)], [b.id, false, t(1)], [c.id, false, t(2)], [d.id, false, t(3)]]);
      assert.equal(all[0]?.sig.name, a.name);
      assert.equal(JSON.stringify(all).includes('@'), false, 'no email');
      const page2 = await store.signatures.changes(l.id, { limit: 2, after: { updatedAt: t(1), id: a.id } });
      assert.deepEqual(page2.map((x) => x.sig.id), [b.id, c.id]);
      assert.deepEqual((await store.signatures.changes(l.id, { since: t(2), limit: 10 })).map((x) => x.sig.id), [c.id, d.id]);
    });

    test('login tokens are single-use; sessions can be deleted', async () => {
      const h = id('tok');
      await store.auth.insertLoginToken({ tokenHash: h, email: 'org@example.org', expiresAt: '2026-01-01T01:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z' });
      assert.equal((await store.auth.loginToken(h))?.email, 'org@example.org');
      assert.equal(await store.auth.markLoginTokenUsed(h, '2026-01-01T00:10:00.000Z'), true);
      assert.equal(await store.auth.markLoginTokenUsed(h, '2026-01-01T00:11:00.000Z'), false);
      const sh = id('sess');
      await store.auth.insertSession({ idHash: sh, email: 'org@example.org', expiresAt: '2026-02-01T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z' });
      assert.equal((await store.auth.session(sh))?.email, 'org@example.org');
      await store.auth.deleteSession(sh);
      assert.equal(await store.auth.session(sh), undefined);
    });

    test('reviews: blocking keys find confirmed candidates only; one review per pair; decisions persist', async () => {
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      const at = '2026-01-02T00:00:00.000Z';
      const a = signatureFixture(l.id, { status: 'confirmed', confirmedAt: at, name: 'Hassan Rouhani' });
      const b = signatureFixture(l.id, { status: 'confirmed', confirmedAt: at, name: 'Hasan Rohani' });
      const pending = signatureFixture(l.id, { name: 'Hassan R.' });
      for (const s of [a, b, pending]) await store.signatures.insert(s);
      await store.reviews.putKeys(l.id, a.id, ['hsn', 'rhn']);
      await store.reviews.putKeys(l.id, pending.id, ['hsn']);
      await store.reviews.putKeys(l.id, b.id, ['hsn', 'hsn', 'rhn']);
      assert.deepEqual((await store.reviews.candidates(l.id, ['hsn'], b.id, 10)).map((s) => s.id), [a.id], 'pending and self are excluded');
      const noAlt = signatureFixture(l.id, { status: 'confirmed', confirmedAt: at, name: 'حسن روحانی', nameAlt: undefined });
      await store.signatures.insert(noAlt);
      await store.reviews.putKeys(l.id, noAlt.id, ['alt']);
      assert.deepEqual(await store.reviews.candidates(l.id, ['alt', 'rhn'], b.id, 10), [
        { id: a.id, name: 'Hassan Rouhani', nameAlt: a.nameAlt },
        { id: noAlt.id, name: 'حسن روحانی', nameAlt: undefined },
      ].sort((x, y) => (x.id < y.id ? -1 : 1)), 'only the id and the names, ordered by id');
      await store.reviews.putKeys(l.id, noAlt.id, []);
      assert.deepEqual(await store.reviews.candidates(l.id, ['zzz'], b.id, 10), []);
      assert.deepEqual(await store.reviews.candidates(l.id, [], b.id, 10), []);
      const other = letterFixture();
      await store.letters.insert(other, versionsFixture);
      assert.deepEqual(await store.reviews.candidates(other.id, ['hsn'], 'x', 10), [], 'keys are per letter');
      await store.reviews.putKeys(l.id, a.id, ['other']);
      assert.deepEqual(await store.reviews.candidates(l.id, ['hsn'], b.id, 10), [], 'putKeys replaces');

      const r = { id: id('r'), letterId: l.id, signatureId: b.id, otherId: a.id, score: 0.93, band: 'likely' as const, status: 'open' as const, createdAt: at };
      await store.reviews.insert(r);
      await store.reviews.insert({ ...r, id: id('r'), score: 0.5 });
      const open = await store.reviews.list(l.id, 'open');
      assert.equal(open.length, 1);
      assert.equal(open[0]?.score, 0.93);
      await store.reviews.update({ ...r, status: 'dismissed', decidedAt: at, decidedBy: 'org@example.org' });
      assert.equal((await store.reviews.byId(r.id))?.status, 'dismissed');
      assert.equal((await store.reviews.byId(r.id))?.decidedBy, 'org@example.org');
      assert.deepEqual(await store.reviews.list(l.id, 'open'), []);
      assert.equal((await store.reviews.list(l.id)).length, 1);
    });

    test('reviews: keys marked unscored until scored, once of 20 at once; not stale meanwhile; pairs either way round', async () => {
      const l = letterFixture();
      await store.letters.insert(l, versionsFixture);
      const at = '2026-01-02T00:00:00.000Z';
      const [a, b, c] = [0, 1, 2].map(() => signatureFixture(l.id, { status: 'confirmed', confirmedAt: at }));
      for (const s of [a!, b!, c!]) await store.signatures.insert(s);
      await store.reviews.putKeys(l.id, a!.id, ['k1'], -3);
      await store.reviews.putKeys(l.id, b!.id, ['k1', 'k2'], -3);
      await store.reviews.putKeys(l.id, c!.id, ['k1'], 2);
      const mine = (xs: { letterId: string; signatureId: string }[]) => xs.filter((x) => x.letterId === l.id);
      assert.deepEqual(mine(await store.reviews.unscored(1000)), [a!, b!].map((s) => ({ letterId: l.id, signatureId: s.id })).sort((x, y) => (x.signatureId < y.signatureId ? -1 : 1)));
      assert.deepEqual([...(await store.reviews.unscoredAmong([a!.id, c!.id, 'nobody']))], [a!.id]);
      assert.deepEqual(mine(await store.reviews.staleKeys(3, 1000)).map((s) => s.signatureId), [c!.id], 'unscored keys are not stale');
      assert.equal((await store.reviews.candidates(l.id, ['k1'], c!.id, 10)).length, 2, 'unscored keys are candidates');
      const marks = await Promise.all(Array.from({ length: 20 }, () => store.transaction((tx) => tx.reviews.markScored(a!.id))));
      assert.equal(marks.filter(Boolean).length, 1, 'one of 20 scorers marks it');
      assert.deepEqual([...(await store.reviews.markScoredAll([a!.id, b!.id, c!.id]))], [b!.id], 'only what was unscored');
      assert.deepEqual(mine(await store.reviews.unscored(1000)), []);
      assert.deepEqual(mine(await store.reviews.staleKeys(4, 1000)).map((s) => s.signatureId).sort(), [a!.id, b!.id, c!.id].sort(), 'scored: the version made positive again');
      await store.transaction((tx) => tx.reviews.lockScoring(l.id));
      await store.reviews.insert({ id: id('r'), letterId: l.id, signatureId: b!.id, otherId: a!.id, score: 0.9, band: 'likely', status: 'dismissed', createdAt: at });
      assert.deepEqual([...(await store.reviews.pairedWith(l.id, a!.id))], [b!.id]);
      assert.deepEqual([...(await store.reviews.pairedWith(l.id, b!.id))], [a!.id]);
      assert.deepEqual([...(await store.reviews.pairedWith(l.id, c!.id))], []);
    });
  });
}
