/** Builds a real app (SQLite in a temp dir) for tests, with a clock tests can move and a mailer that keeps what it sends. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type App } from '../../src/main.ts';
import { loadConfig } from '../../src/config.ts';
import type { Mailer } from '../../src/core/ports.ts';
import type { MailMessage } from '../../src/core/model.ts';
import { createLetter } from '../../src/use-cases/create-letter.ts';
import { deliverDue } from '../../src/use-cases/workers/deliver-outbox.ts';

export class MemoryMailer implements Mailer {
  readonly batch = 20;
  sent: MailMessage[] = [];
  failNext = 0;
  async send(m: MailMessage) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('SMTP unavailable');
    }
    this.sent.push(m);
  }
  async close() {}
  /** The token of the last confirmation link mailed to `to`. */
  lastToken(to: string): string {
    const m = [...this.sent].reverse().find((x) => x.to.toLowerCase() === to.toLowerCase() && x.template === 'confirm');
    const tok = m?.text.match(/token=([A-Za-z0-9_-]+)/)?.[1];
    if (!tok) throw new Error(`no confirmation mail to ${to}`);
    return tok;
  }
}

export class TestClock {
  constructor(public t = Date.parse('2026-03-01T10:00:00.000Z')) {}
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

export interface TestApp {
  app: App;
  http: FastifyInstance;
  mailer: MemoryMailer;
  clock: TestClock;
  dir: string;
  /** Sends queued mail now (the worker is not running in tests). */
  flushMail(): Promise<void>;
  close(): Promise<void>;
}

export async function testApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-test-'));
  const mailer = new MemoryMailer();
  const clock = new TestClock();
  const config = loadConfig({ UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_BASE_URL: 'http://test.local', UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_SCREENING: 'off', ...env }, { dataDir: dir });
  const app = await buildApp(config, { mailer, clock });
  const http = await app.http();
  await http.ready();
  return {
    app,
    http,
    mailer,
    clock,
    dir,
    async flushMail() {
      while ((await deliverDue(app.deps, mailer)).sent > 0);
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const faEnLetter = (slug = 'albania', over: Record<string, unknown> = {}) => ({
  slug,
  addressee: { name: 'Ilir Meta', title: 'President of Albania' },
  defaultLang: 'fa',
  goal: 100,
  versions: [
    { lang: 'fa', title: 'نامهٔ سرگشاده به رئیس‌جمهور آلبانی', body: 'جناب آقای **ایلیر متا**،\n\nما گروهی از اعضای سابق…', statement: 'من این نامه را امضا می‌کنم', addressee: { name: 'ایلیر متا', title: 'رئیس‌جمهور آلبانی' } },
    { lang: 'en', title: 'Open letter to the President of Albania', body: 'Dear **Mr Ilir Meta**,\n\nWe, a group of former members…' },
  ],
  ...over,
});

export async function openLetter(t: TestApp, slug = 'albania', over: Record<string, unknown> = {}) {
  return createLetter(t.app.deps, faEnLetter(slug, over), { publish: true });
}

/**
 * Cookie jar and form posts through inject, sent as a browser sends a form from one of our own pages
 * (`Sec-Fetch-Site: same-origin`, `Origin` of the base URL). `from` makes it another kind of request: a cross-site
 * form, an old browser's post with only Origin, or a client that is not a browser (neither header).
 */
export type PostFrom = 'same-origin' | { secFetchSite?: string; origin?: string };

export class Browser {
  cookies = new Map<string, string>();
  constructor(private readonly http: FastifyInstance, private readonly origin = 'http://test.local') {}

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: LightMyRequestResponse) {
    for (const c of res.cookies) this.cookies.set(c.name, c.value);
  }

  async get(url: string, headers: Record<string, string> = {}) {
    const res = await this.http.inject({ method: 'GET', url, headers: { cookie: this.header(), ...headers } });
    this.keep(res);
    return res;
  }

  /**
   * Posts a form. Organiser pages carry a CSRF token: `_csrf` is taken from `fromPage` (fetched first) when the page
   * has one, unless given. Public pages have none.
   */
  async post(url: string, form: Record<string, string>, fromPage?: string, from: PostFrom = 'same-origin') {
    let csrf = form._csrf;
    if (csrf === undefined && fromPage) csrf = csrfIn((await this.get(fromPage)).body);
    const body = new URLSearchParams({ ...form, ...(csrf !== undefined ? { _csrf: csrf } : {}) }).toString();
    const site: Record<string, string> =
      from === 'same-origin'
        ? { 'sec-fetch-site': 'same-origin', origin: this.origin }
        : { ...(from.secFetchSite ? { 'sec-fetch-site': from.secFetchSite } : {}), ...(from.origin ? { origin: from.origin } : {}) };
    const res = await this.http.inject({ method: 'POST', url, payload: body, headers: { cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded', ...site } });
    this.keep(res);
    return res;
  }
}

/** The CSRF token of an organiser page's form, if it has one. */
export function csrfIn(html: string): string | undefined {
  return html.match(/name="_csrf" value="([^"]+)"/)?.[1];
}

export function csrfFrom(html: string): string {
  const m = csrfIn(html);
  if (!m) throw new Error('no CSRF field on the page');
  return m;
}

export function tokenFromUrl(text: string): string {
  const m = text.match(/token=([A-Za-z0-9_-]+)/);
  if (!m) throw new Error('no token in text');
  return m[1]!;
}

/** Signs an organiser in as a person does: login form, the mailed link (GET shows a button), its POST. Returns the token. */
export async function signInOrganiser(
  t: TestApp,
  b: Browser,
  email: string,
  opts: { lang?: string; onLoginPage?: (body: string) => void; onLinkOpened?: (token: string) => Promise<void> } = {},
): Promise<string> {
  const lang = opts.lang ?? 'fa';
  const sentBefore = t.mailer.sent.filter((m) => m.template === 'login' && m.to === email.toLowerCase()).length;
  const res = await b.post(`/${lang}/organise/login`, { email }, `/${lang}/organise`);
  if (res.statusCode >= 400) throw new Error(`login form answered ${res.statusCode}`);
  opts.onLoginPage?.(res.body);
  // The login pokes the outbox worker, which may have the mail leased while flushMail looks: wait for it.
  let mail: MailMessage | undefined;
  for (let i = 0; i < 50 && !mail; i++) {
    await t.flushMail();
    const mine = t.mailer.sent.filter((m) => m.template === 'login' && m.to === email.toLowerCase());
    mail = mine.length > sentBefore ? mine.at(-1) : undefined;
    if (!mail) await new Promise((r) => setTimeout(r, 50));
  }
  // None new (a login that sends no second mail): the last one, as before.
  mail ??= t.mailer.sent.filter((m) => m.template === 'login' && m.to === email.toLowerCase()).at(-1);
  if (!mail) throw new Error(`no login mail to ${email}`);
  const token = tokenFromUrl(mail.text);
  const page = await b.get(`/${lang}/organise/login/complete?token=${token}`);
  await opts.onLinkOpened?.(token);
  const done = await b.post(`/${lang}/organise/login/complete`, { token, _csrf: csrfFrom(page.body) });
  if (done.statusCode !== 303) throw new Error(`signing in answered ${done.statusCode}`);
  return token;
}
