/**
 * Zoe confirms, gets her receipt page (first "being added to the log", then the receipt), downloads the
 * .tlog-proof and the private file, checks both with the log core; then withdraws with the link from her
 * confirmation mail: the count drops, the list updates, the log records the withdrawal. Organiser removals and the
 * duplicate merge are public per reason on the letter page and in the API, and match the log.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, openLetter, Browser, type TestApp } from './support/app.ts';
import { verifyOverHttp } from './support/log.ts';
import { nodeLogCrypto } from '../src/adapters/crypto/node-crypto.ts';
import { decodeEntry, fromBase64, parseVerifierKey, verifyCommitment, verifyTlogProof } from '../src/core/log/index.ts';
import { removeSignature } from '../src/use-cases/remove-signature.ts';

describe('signer: receipt, browser check page, withdrawal; organiser removals in public', () => {
  let t: TestApp;
  let b: Browser;
  let receiptPath = '';
  before(async () => {
    t = await testApp();
    await openLetter(t);
    b = new Browser(t.http);
  });
  after(() => t.close());

  async function signAndConfirmPage(name: string, email: string, lang = 'en', visibility = 'public') {
    const s = await b.post(`/${lang}/letters/albania/sign`, { name, email, visibility, lang }, `/${lang}/letters/albania`);
    assert.equal(s.statusCode, 303, s.body);
    await t.flushMail();
    const mail = [...t.mailer.sent].reverse().find((m) => m.to === email && m.template === 'confirm')!;
    const token = t.mailer.lastToken(email);
    const c = await b.post(`/${lang}/confirm`, { token }, `/${lang}/confirm?token=${token}`);
    assert.equal(c.statusCode, 200, c.body);
    const receipt = c.body.match(/class="receipt" href="(\/[a-z]+\/receipts\/[A-Za-z0-9_-]+)"/)?.[1];
    assert.ok(receipt, 'the confirmation page links to the receipt');
    return { mail, receipt };
  }

  test('the confirmation mail carries a separate withdrawal link; the confirmation page links the receipt', async () => {
    const { mail, receipt } = await signAndConfirmPage('Zoe Adams', 'zoe@example.org');
    assert.match(mail.text, /\/en\/withdraw\?token=[A-Za-z0-9_-]+/);
    assert.notEqual(mail.text.match(/withdraw\?token=([A-Za-z0-9_-]+)/)![1], t.mailer.lastToken('zoe@example.org'));
    receiptPath = receipt;
  });

  test('receipt page: "being added to the log" (refreshing) until sequenced, then the receipt', async () => {
    let r = await b.get(receiptPath);
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /being added to the public log/);
    assert.match(r.body, /<meta http-equiv="refresh" content="3">/);
    assert.equal((await b.get(`${receiptPath}/receipt.tlog-proof`)).statusCode, 409);
    await t.app.sequencer.drain();
    r = await b.get(receiptPath);
    assert.match(r.body, /is entry 2 of the public log/);
    assert.doesNotMatch(r.body, /http-equiv="refresh"/);
    assert.match(r.body, /receipt\.tlog-proof/);
  });

  test('the .tlog-proof verifies with the log key, carries the entry, and the private file opens its commitments', async () => {
    const proof = await b.get(`${receiptPath}/receipt.tlog-proof`);
    assert.equal(proof.statusCode, 200);
    assert.match(String(proof.headers['content-disposition']), /attachment; filename="undersigned-albania-2\.tlog-proof"/);
    assert.ok(proof.body.startsWith('c2sp.org/tlog-proof@v1\nextra '));
    const v = parseVerifierKey(nodeLogCrypto, (await t.http.inject('/log/key')).body.trim());
    const r = verifyTlogProof(nodeLogCrypto, proof.body, { verifiers: [v], origin: 'test.local/log' });
    assert.equal(r.index, 2);
    const entry = decodeEntry(r.extra!);
    assert.equal(entry.type, 'sig');
    const side = (await b.get(`${receiptPath}/receipt.json`)).json();
    assert.equal(side.displayName, 'Zoe Adams');
    assert.equal(side.email, 'zoe@example.org');
    if (entry.type !== 'sig') return;
    assert.ok(verifyCommitment(nodeLogCrypto, 'name', fromBase64(side.nameOpening), 'Zoe Adams', entry.name));
    assert.ok(verifyCommitment(nodeLogCrypto, 'contact', fromBase64(side.contactOpening), 'ZOE@example.org ', entry.contact));
    assert.ok(!verifyCommitment(nodeLogCrypto, 'name', fromBase64(side.nameOpening), 'Zoe Adam', entry.name));
    // The public list publishes the same index and name opening (never the contact opening).
    const list = (await t.http.inject('/api/v1/letters/albania/signatures?lang=en')).json();
    assert.equal(list.items[0].logIndex, 2);
    assert.equal(list.items[0].opening, side.nameOpening);
    assert.equal(list.items[0].erased, false);
    assert.ok(!JSON.stringify(list).includes(side.contactOpening));
  });

  test('the browser check page loads the same-origin checker script (no inline script), in Persian right to left', async () => {
    const page = await b.get(`/fa${receiptPath.slice(3)}/verify`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<html lang="fa" dir="rtl">/);
    assert.match(page.body, /<script type="module" src="\/assets\/receipt-check\.js"><\/script>/);
    assert.doesNotMatch(page.body, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.match(page.body, /data-receipt="\/fa\/receipts\/[^"]+\/receipt\.tlog-proof"/);
    const js = await t.http.inject('/assets/receipt-check.js');
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.ok(js.body.length > 5000 && !js.body.includes('node:'));
    assert.equal((await b.get('/en/verify')).statusCode, 200);
    const privacy = await b.get('/fa/privacy');
    assert.equal(privacy.statusCode, 200);
    assert.match(privacy.body, /دفتر عمومی/);
  });

  test('withdrawal: GET shows a button and changes nothing; POST withdraws; count, list and log follow', async () => {
    const mail = [...t.mailer.sent].reverse().find((m) => m.to === 'zoe@example.org' && m.template === 'confirm')!;
    const path = mail.text.match(/http:\/\/test\.local(\/en\/withdraw\?token=[A-Za-z0-9_-]+)/)![1]!;
    const g = await b.get(path);
    assert.equal(g.statusCode, 200);
    assert.match(g.body, /Withdraw my signature/);
    assert.equal((await t.http.inject('/api/v1/letters/albania')).json().count, 1);
    const token = path.split('token=')[1]!;
    // Another site making the browser post the button: refused, nothing withdrawn, the button is offered again.
    const forged = await b.post('/en/withdraw', { token }, undefined, { secFetchSite: 'cross-site', origin: 'https://evil.example' });
    assert.equal(forged.statusCode, 403);
    assert.match(forged.body, /sent from another website, so nothing was done/);
    assert.match(forged.body, /<form method="post" action="\/en\/withdraw"><input type="hidden" name="token" value="[A-Za-z0-9_-]+">/);
    assert.equal((await t.http.inject('/api/v1/letters/albania')).json().count, 1);
    const p = await b.post('/en/withdraw', { token }, path);
    assert.equal(p.statusCode, 200);
    assert.match(p.body, /Your signature is withdrawn/);
    const letter = (await t.http.inject('/api/v1/letters/albania')).json();
    assert.equal(letter.count, 0);
    assert.deepEqual(letter.removals, { withdrawn: 1, removed: { signer: 0, duplicate: 0, fraud: 0, legal: 0 } });
    assert.equal((await t.http.inject('/api/v1/letters/albania/signatures')).json().items.length, 0);
    assert.match((await b.post('/en/withdraw', { token })).body, /already withdrawn/);
    assert.match((await b.get(receiptPath)).body, /This signature was withdrawn/);
    await t.app.sequencer.drain();
    const res = await verifyOverHttp(t.http);
    const tally = res.letters.find((l) => l.letter === 'albania')!;
    assert.equal(tally.withdrawn, 1);
    assert.equal(tally.count, 0);
  });

  test('organiser removals with a public reason: counted per reason on the page, in the API and in the log', async () => {
    await signAndConfirmPage('Sam Bell', 'sam@example.org');
    await signAndConfirmPage('Ann Fraud', 'ann@example.org');
    await signAndConfirmPage('Kim Legal', 'kim@example.org', 'fa', 'hidden');
    const letterId = (await t.app.store.letters.bySlug('albania'))!.id;
    const sigs = await Promise.all(['ann@example.org', 'kim@example.org'].map((e) => t.app.store.signatures.byEmail(letterId, e)));
    await assert.rejects(removeSignature(t.app.deps, 'albania', sigs[0]!.id, 'boredom', undefined), /reason/);
    await removeSignature(t.app.deps, 'albania', sigs[0]!.id, 'fraud', undefined);
    await removeSignature(t.app.deps, 'albania', sigs[1]!.id, 'legal', undefined);
    await assert.rejects(removeSignature(t.app.deps, 'albania', sigs[1]!.id, 'legal', undefined), /confirmed/);
    t.app.reads.invalidate(letterId);
    const letter = (await t.http.inject('/api/v1/letters/albania')).json();
    assert.equal(letter.count, 1);
    assert.deepEqual(letter.removals, { withdrawn: 1, removed: { signer: 0, duplicate: 0, fraud: 1, legal: 1 } });
    const page = await b.get('/en/letters/albania');
    assert.match(page.body, /1 signature was withdrawn by its signer\. Removed by the organisers: fraud: 1, for legal reasons: 1\./);
    await t.app.sequencer.drain();
    const res = await verifyOverHttp(t.http);
    const tally = res.letters.find((l) => l.letter === 'albania')!;
    assert.deepEqual({ withdrawn: tally.withdrawn, removed: tally.removed, count: tally.count }, { ...letter.removals, count: 1 });
  });
});
