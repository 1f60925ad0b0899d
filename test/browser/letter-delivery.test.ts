/**
 * Delivery through a real SMTP peer: the letter's targets (letter JSON "targets") each get a mail in their language
 * with the PDF attached; the attachment's SHA-256 equals the API's `delivery.pdfSha256` and the log's `delivery`
 * entry, which also carries the tree size the PDF shows; a refused address is `failed` with the server's reason;
 * the letter page shows the delivery; delivering again after more signatures is a new delivery; one target alone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../../src/main.ts';
import { loadConfig } from '../../src/config.ts';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { deliverLetter } from '../../src/use-cases/deliver-letter.ts';
import { decodeEntry, toBase64 } from '../../src/core/log/index.ts';
import { faEnLetter } from '../support/app.ts';
import { startSmtp, type ReceivedMail } from '../support/smtp.ts';
import { runCli } from '../../src/cli.ts';

const json = (payload: unknown) => ({ payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
const MARYAM = 'مریم رضاي\u200cزاده';

/** The PDF attached to a multipart mail (nodemailer: base64 part with Content-Type application/pdf). */
function attachedPdf(m: ReceivedMail): Buffer {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(m.raw)?.[1];
  assert.ok(boundary, 'a multipart mail');
  const part = m.raw.split(`--${boundary}`).find((p) => /Content-Type: application\/pdf/i.test(p));
  assert.ok(part, 'a PDF part');
  assert.match(part, /Content-Disposition: attachment; filename=albania\.pdf/i);
  const body = part.split(/\r?\n\r?\n/).slice(1).join('');
  return Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

async function logEntries(app: App) {
  await app.drainLog();
  const state = (await app.store.log.state())!;
  const out = [];
  for (let i = 0; i < state.size; i++) out.push({ index: i, entry: decodeEntry((await app.store.log.entryAt(i))!) });
  return out;
}

describe('delivering the letter', () => {
  let peer: Awaited<ReturnType<typeof startSmtp>>;
  let app: App;
  let dir: string;

  async function signAndConfirm(name: string, email: string, lang: string) {
    const http = await app.http();
    const r = await http.inject({ method: 'POST', url: '/api/v1/letters/albania/signatures', ...json({ name, email, lang, visibility: 'public' }) });
    assert.equal(r.statusCode, 202, r.body);
    await app.deliverMail();
    const mail = await peer.waitFor((m) => m.to.includes(email.toLowerCase()) || m.to.includes(email));
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    const c = await http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({ token }) });
    assert.equal(c.statusCode, 200, c.body);
  }

  before(async () => {
    peer = await startSmtp({ refuse: (a) => (a === 'gone@example.org' ? { code: 550, message: 'No such mailbox here' } : undefined) });
    dir = mkdtempSync(join(tmpdir(), 'undersigned-delivery-'));
    app = await buildApp(loadConfig({ UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_BASE_URL: 'http://test.local', UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_SCREENING: 'off', UNDERSIGNED_SMTP_URL: peer.url }, { dataDir: dir }));
    await createLetter(app.deps, faEnLetter('albania', {
      targets: [
        { name: 'Ilir Meta', title: 'President of Albania', email: 'office@president.example', lang: 'en' },
        { name: 'دفتر ریاست جمهوری', email: 'daftar@president.example', lang: 'fa' },
        { name: 'Old Office', email: 'gone@example.org', lang: 'en' },
      ],
    }), { publish: true });
    await signAndConfirm(MARYAM, 'maryam@example.org', 'fa');
    await signAndConfirm('Zoe Adams', 'zoe@example.org', 'en');
    await app.drainLog();
  });
  after(async () => {
    await app?.close();
    await peer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('each target gets its mail with the PDF; the hashes agree across the mail, the API and the log', async () => {
    const result = await deliverLetter(app.deps, app.services.documents, 'albania');
    assert.equal(result.deliveries.length, 3);
    assert.ok(result.deliveries.every((d) => d.status === 'queued'));
    await app.deliverMail();
    const en = await peer.waitFor((m) => m.to.includes('office@president.example'));
    const fa = await peer.waitFor((m) => m.to.includes('daftar@president.example'));
    assert.match(en.subject, /^Open letter: Open letter to the President of Albania$/);
    assert.ok(fa.subject.startsWith('نامهٔ سرگشاده'), 'the Persian target is written to in Persian');
    assert.ok(en.text.includes('Dear Ilir Meta') && en.text.includes(result.pdfSha256));
    const pdf = attachedPdf(en);
    const sha = createHash('sha256').update(pdf).digest('base64');
    assert.equal(sha, result.pdfSha256, 'the attachment is the PDF that was hashed');
    assert.deepEqual(attachedPdf(fa), pdf, 'every target gets the same PDF');
    const file = join(dir, 'delivered.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    assert.ok(text.includes(MARYAM) && text.includes('Zoe Adams'), 'the delivered PDF lists the signatories as typed');

    const api = (await (await app.http()).inject('/api/v1/letters/albania')).json();
    assert.equal(api.delivery.pdfSha256, sha);
    assert.equal(api.delivery.treeSize, result.treeSize);
    assert.deepEqual(api.delivery.targets.map((x: { name: string; status: string }) => [x.name, x.status]), [
      ['Ilir Meta', 'sent'], ['دفتر ریاست جمهوری', 'sent'], ['Old Office', 'failed'],
    ]);
    assert.ok(api.delivery.targets[0].deliveredAt);
    assert.ok(!JSON.stringify(api).includes('@'), 'no target address in the API');

    const entries = await logEntries(app);
    const logged = entries.filter((e) => e.entry.type === 'delivery');
    assert.equal(logged.length, 1);
    const d = logged[0]!.entry as { type: 'delivery'; size: number; pdf: Uint8Array; letter: string };
    assert.equal(d.letter, 'albania');
    assert.equal(toBase64(d.pdf), sha, 'the log holds the delivered PDF\'s hash');
    assert.equal(d.size, result.treeSize);
    assert.ok(d.size <= logged[0]!.index, 'the PDF shows the log as it was before its delivery');

    const failed = (await app.store.deliveries.byLetter((await app.store.letters.bySlug('albania'))!.id)).find((x) => x.status === 'failed')!;
    assert.match(failed.error!, /No such mailbox here/, 'the server\'s reason');

    const page = (await (await app.http()).inject('/en/letters/albania')).body;
    assert.ok(page.includes('Delivered to Ilir Meta on'));
    assert.ok(page.includes('Not delivered to Old Office yet.'));
    assert.ok(!page.includes('president.example'), 'no target address on the page');
  });

  test('delivering again after another signature is a new delivery with a new PDF; --target sends to one', async () => {
    const letterId = (await app.store.letters.bySlug('albania'))!.id;
    const targets = await app.store.deliveries.targets(letterId);
    await signAndConfirm('Émile Zola', 'emile@example.org', 'en');
    await app.drainLog();
    const before = peer.mails.length;
    const again = await deliverLetter(app.deps, app.services.documents, 'albania', { targetId: targets[0]!.id });
    assert.equal(again.deliveries.length, 1);
    await app.deliverMail();
    const m = await peer.waitFor((x) => peer.mails.indexOf(x) >= before && x.to.includes('office@president.example'));
    assert.equal(createHash('sha256').update(attachedPdf(m)).digest('base64'), again.pdfSha256);
    assert.equal(peer.mails.length, before + 1, 'only the one target');
    const deliveries = (await logEntries(app)).filter((e) => e.entry.type === 'delivery');
    assert.equal(deliveries.length, 2);
    assert.ok(again.treeSize > (deliveries[0]!.entry as { size: number }).size, 'the new PDF shows the grown log');
    await assert.rejects(deliverLetter(app.deps, app.services.documents, 'albania', { targetId: 'nope' }), { code: 'TARGET_NOT_FOUND' });
  });

  test('undersigned audit passes on a log holding delivery entries', async () => {
    await app.drainLog();
    const http = await app.http();
    await http.listen({ port: 0, host: '127.0.0.1' });
    const addr = http.server.address();
    const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const out: string[] = [];
    const code = await runCli(['audit', base, '--state', join(dir, 'audit-state.json'), '--retries', '0', '--json'], { out: (x: string) => void out.push(x), err: (x: string) => void out.push(x), isTTY: false }, {}, dir);
    assert.equal(code, 0, out.join(''));
  });

  test('a delivery takes one outcome: 20 settlements at once, one wins', async () => {
    const letterId = (await app.store.letters.bySlug('albania'))!.id;
    const id = 'delivery:race';
    const at = new Date().toISOString();
    await app.store.deliveries.insert({ id, run: 'race', letterId, targetId: 'x', status: 'queued', pdfSha256: 'x', treeSize: 0, createdAt: at, updatedAt: at });
    const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => app.store.deliveries.settle(id, i % 2 ? 'sent' : 'failed', at, 'race')));
    assert.equal(wins.filter(Boolean).length, 1);
  });
});
