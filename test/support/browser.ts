/**
 * Real-browser test support: a real app listening on a loopback port (SQLite in a temp dir, mail captured in the
 * dev outbox, the outbox worker running) and Debian's chromium driven by playwright-core. Never downloads a browser.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp, type App } from '../../src/main.ts';
import { loadConfig } from '../../src/config.ts';
import { readDevOutbox, type CapturedMail } from '../../src/adapters/mail/dev-outbox.ts';

export const CHROMIUM = process.env.UNDERSIGNED_CHROMIUM ?? '/usr/bin/chromium';
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SCREENSHOTS = join(REPO_ROOT, 'artifacts', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
}

/** A free loopback port, so that UNDERSIGNED_BASE_URL (and every mailed link) can point at the server before it listens. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface LiveServer {
  app: App;
  baseUrl: string;
  dir: string;
  outboxDir: string;
  close(): Promise<void>;
}

/** Builds and starts the app as `serve` does (worker on, dev outbox), on 127.0.0.1. */
export async function startServer(env: Record<string, string> = {}): Promise<LiveServer> {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-browser-'));
  // The port is picked, released, then bound again: a tiny window another process could take it; retry once if so.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const config = loadConfig(
      { UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_SCREENING: 'off', UNDERSIGNED_BASE_URL: baseUrl, ...env },
      { dataDir: dir },
    );
    const app = await buildApp(config, { worker: true });
    try {
      const http = await app.http();
      await http.listen({ port, host: '127.0.0.1' });
    } catch (e) {
      await app.close();
      if (attempt < 2 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    const outboxDir = app.devOutboxDir;
    if (!outboxDir) throw new Error('expected the dev outbox (UNDERSIGNED_SMTP_URL must be unset)');
    return {
      app,
      baseUrl,
      dir,
      outboxDir,
      async close() {
        await app.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits for the n-th (1-based, oldest first) mail of `template` to `to` in the dev outbox. */
export async function waitForMail(outboxDir: string, to: string, template = 'confirm', nth = 1): Promise<CapturedMail> {
  return waitFor(`mail #${nth} (${template}) to ${to}`, () => {
    const mails = readDevOutbox(outboxDir, 10_000)
      .filter((m) => m.to.toLowerCase() === to.toLowerCase() && m.template === template)
      .reverse();
    return mails[nth - 1];
  });
}

/** The confirmation link in a mail's text. */
export function linkIn(mail: CapturedMail): string {
  const m = mail.text.match(/https?:\/\/\S+token=[A-Za-z0-9_%-]+/);
  if (!m) throw new Error(`no confirmation link in mail: ${mail.text}`);
  return m[0];
}

export function tokenIn(link: string): string {
  const tok = new URL(link).searchParams.get('token');
  if (!tok) throw new Error(`no token in ${link}`);
  return tok;
}

/** Signs through the JSON API and confirms with the mailed token, as a script or another client would. */
export async function signAndConfirmViaApi(server: LiveServer, slug: string, body: { name: string; email: string; lang: string; visibility?: 'public' | 'hidden'; nameAlt?: string; title?: string; country?: string }): Promise<void> {
  const res = await fetch(`${server.baseUrl}/api/v1/letters/${slug}/signatures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ visibility: 'public', ...body }) });
  if (res.status !== 202) throw new Error(`sign ${body.name}: ${res.status} ${await res.text()}`);
  const mail = await waitForMail(server.outboxDir, body.email);
  const conf = await fetch(`${server.baseUrl}/api/v1/confirmations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: tokenIn(linkIn(mail)) }) });
  if (conf.status !== 200) throw new Error(`confirm ${body.name}: ${conf.status} ${await conf.text()}`);
}

/** Full-page screenshot into artifacts/screenshots/<name>.png (the folder is gitignored; CI keeps it as an artifact). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
