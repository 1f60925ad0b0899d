/**
 * Acceptance story, from outside: the CLI creates a fa+en letter on a data directory, a real server process
 * serves it, a real SMTP peer receives the confirmation mails. Maryam signs in Persian, Zoe in English;
 * a GET on the mailed link changes nothing, the POST button confirms; both are counted and listed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { startSmtp } from './support/smtp.ts';
import { faEnLetter } from './support/app.ts';

let dir: string;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let server: ChildProcess;
let base: string;
let env: NodeJS.ProcessEnv;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/undersigned.js', ...args], { env, encoding: 'utf8' });

class Session {
  cookie = '';
  async fetch(path: string, init: RequestInit = {}) {
    const res = await fetch(base + path, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: this.cookie } });
    const set = res.headers.getSetCookie();
    if (set.length) this.cookie = set.map((c) => c.split(';')[0]).join('; ');
    return { status: res.status, headers: res.headers, body: await res.text() };
  }
  async postForm(path: string, form: Record<string, string>) {
    return this.fetch(path, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-accept-'));
  smtp = await startSmtp();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = { ...process.env, UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_PORT: String(port), UNDERSIGNED_BASE_URL: base, UNDERSIGNED_SMTP_URL: smtp.url, UNDERSIGNED_LOG_LEVEL: 'warn', UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_SCREENING: 'off', UNDERSIGNED_MAIL_FROM: 'Letters <letters@example.org>' };
  writeFileSync(join(dir, 'letter.json'), JSON.stringify(faEnLetter('albania')));
  const created = cli('letter', 'create', '--file', join(dir, 'letter.json'), '--publish', '--json');
  assert.equal(created.status, 0, created.stderr);
  assert.deepEqual(JSON.parse(created.stdout), { slug: 'albania', state: 'open', urls: { fa: `${base}/fa/letters/albania`, en: `${base}/en/letters/albania` } });
  server = spawn(process.execPath, ['bin/undersigned.js', 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  server.stderr!.on('data', (d) => (err += d));
  const end = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(base + '/healthz')).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > end || server.exitCode !== null) throw new Error('server did not start: ' + err);
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(async () => {
  server?.kill('SIGTERM');
  await new Promise((r) => server?.once('exit', r));
  await smtp?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('Maryam signs in Persian and Zoe in English; links confirm only on POST; counts, order and privacy hold', async () => {
  const maryam = new Session();
  const faPage = await maryam.fetch('/fa/letters/albania');
  assert.equal(faPage.status, 200);
  const signed = await maryam.postForm('/fa/letters/albania/sign', { lang: 'fa', name: 'مریم رضاي‌زاده', nameAlt: 'Maryam Rezaeizadeh', email: 'maryam@example.org', country: 'IR', visibility: 'public' });
  assert.equal(signed.status, 303);

  const mail = await smtp.waitFor((m) => m.to.includes('maryam@example.org'));
  assert.equal(mail.from, 'letters@example.org');
  assert.match(mail.subject, /امضای خود را تأیید کنید/);
  assert.match(mail.raw, /Content-Language: fa/);
  const link = mail.text.match(new RegExp(`${base.replace(/[.]/g, '\\.')}/fa/confirm\\?token=[A-Za-z0-9_-]+`))?.[0];
  assert.ok(link, 'the mail carries a link on the base URL');

  // A mail scanner follows the link: nothing may change.
  const scanner = await fetch(link!);
  assert.equal(scanner.status, 200);
  assert.equal(((await (await fetch(`${base}/api/v1/letters/albania`)).json()) as { count: number }).count, 0);

  const confirmPage = await maryam.fetch(link!.replace(base, ''));
  assert.equal(confirmPage.status, 200, 'the link opens a page that asks to confirm');
  const ok = await maryam.postForm('/fa/confirm', { token: new URL(link!).searchParams.get('token')! });
  assert.equal(ok.status, 200);

  const zoe = new Session();
  assert.equal((await zoe.fetch('/en/letters/albania')).status, 200);
  await zoe.postForm('/en/letters/albania/sign', { lang: 'en', name: 'Zoe Adams', email: 'zoe@example.org' });
  const zmail = await smtp.waitFor((m) => m.to.includes('zoe@example.org'));
  assert.match(zmail.subject, /^Confirm your signature/);
  const ztoken = zmail.text.match(/token=([A-Za-z0-9_-]+)/)![1]!;
  const api = await fetch(`${base}/api/v1/confirmations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: ztoken }) });
  assert.equal(api.status, 200);

  // Counted and listed (the read cache lives two seconds).
  let letter: { count: number } = { count: -1 };
  const until = Date.now() + 5000;
  do {
    letter = (await (await fetch(`${base}/api/v1/letters/albania`)).json()) as { count: number };
    if (letter.count === 2) break;
    await new Promise((r) => setTimeout(r, 200));
  } while (Date.now() < until);
  assert.equal(letter.count, 2);
  const fa = await maryam.fetch('/fa/letters/albania');
  assert.match(fa.body, /۲ امضا/);
  const names = [...fa.body.matchAll(/<bdi class="name">([^<]+)<\/bdi>/g)].map((m) => m[1]);
  assert.deepEqual(names, ['Zoe Adams', 'مریم رضاي‌زاده'].sort(new Intl.Collator('fa').compare));
  const en = await zoe.fetch('/en/letters/albania');
  assert.deepEqual([...en.body.matchAll(/<bdi class="name">([^<]+)<\/bdi>/g)].map((m) => m[1]), ['مریم رضاي‌زاده', 'Zoe Adams'].sort(new Intl.Collator('en').compare));

  // Emails appear nowhere public.
  const publicBodies = [fa.body, en.body, await (await fetch(`${base}/api/v1/letters/albania/signatures?lang=fa`)).text(), await (await fetch(`${base}/api/v1/letters`)).text()];
  for (const b of publicBodies) assert.ok(!/maryam@example\.org|zoe@example\.org/i.test(b));

  // The CLI reads the same data directory while the server runs.
  const list = cli('letter', 'list', '--json');
  assert.equal(list.status, 0, list.stderr);
  assert.equal(JSON.parse(list.stdout).letters[0].count, 2);
});
