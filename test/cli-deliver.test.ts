/**
 * `undersigned letter create` with targets, `letter targets` and `letter deliver [--target ID]`: the PDF goes to
 * each target (here through the dev outbox, attachment included) and the command prints each target's status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli.ts';
import { readDevOutbox } from '../src/adapters/mail/dev-outbox.ts';
import { faEnLetter } from './support/app.ts';

test('letter deliver mails the PDF to each target and prints their status; --target one; no targets is TARGET_NOT_FOUND', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-cli-deliver-'));
  try {
    const env = { UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_BASE_URL: 'http://test.local' };
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const code = await runCli(args, { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s), isTTY: false }, env, dir);
      return { code, text: out.join('') };
    };
    writeFileSync(join(dir, 'letter.json'), JSON.stringify(faEnLetter('albania', { targets: [{ name: 'Ilir Meta', email: 'office@president.example', lang: 'en' }, { name: 'دفتر', email: 'daftar@president.example', lang: 'fa' }] })));
    writeFileSync(join(dir, 'bare.json'), JSON.stringify(faEnLetter('bare')));
    assert.equal((await run('letter', 'create', '--file', 'letter.json', '--publish')).code, 0);
    assert.equal((await run('letter', 'create', '--file', 'bare.json', '--publish')).code, 0);
    const targets = JSON.parse((await run('letter', 'targets', 'albania', '--json')).text).targets;
    assert.deepEqual(targets.map((t: { name: string; lang: string; lastDelivery: unknown }) => [t.name, t.lang, t.lastDelivery]), [['Ilir Meta', 'en', null], ['دفتر', 'fa', null]]);

    const first = await run('letter', 'deliver', 'albania', '--json');
    assert.equal(first.code, 0, first.text);
    const r = JSON.parse(first.text);
    assert.deepEqual(r.deliveries.map((d: { name: string; status: string }) => [d.name, d.status]), [['Ilir Meta', 'sent'], ['دفتر', 'sent']]);
    const mails = readDevOutbox(join(dir, 'outbox'), 100).filter((m) => m.template === 'delivery');
    assert.equal(mails.length, 2);
    const pdf = Buffer.from(mails[0]!.attachments![0]!.contentBase64, 'base64');
    assert.equal(createHash('sha256').update(pdf).digest('base64'), r.pdfSha256);

    const one = JSON.parse((await run('letter', 'deliver', 'albania', '--target', targets[1].id, '--json')).text);
    assert.deepEqual(one.deliveries.map((d: { name: string }) => d.name), ['دفتر']);
    const after = JSON.parse((await run('letter', 'targets', 'albania', '--json')).text).targets;
    assert.equal(after[1].lastDelivery.status, 'sent');

    const none = await run('letter', 'deliver', 'bare');
    assert.equal(none.code, 1);
    assert.match(none.text, /TARGET_NOT_FOUND/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
