/**
 * Bots held, people kept (issue 15 item 7): what the sign form and the API learn about a signing before the use-case
 * stores it. Nothing here refuses anyone: a signing without a valid proof of work, over a limit, from a disposable
 * domain or with the honeypot filled is stored and mailed as any other, with the reasons it is held
 * (core/signatures/hold.ts). Only the per-client flood limit (kit/limits.ts) answers 429.
 *
 * - Proof of work: ALTCHA (altcha-lib's v2 challenges, SHA-256), HMAC-signed with keys derived from our cookie
 *   secret, valid for CHALLENGE_TTL_S; each solution is accepted once (a bounded set of used challenges, kept until
 *   they expire). The widget is served from /assets (pages/altcha.ts).
 * - Limits: signings of one letter per client address, per /24 or /64 prefix and per email domain in the last hour,
 *   and of the whole letter in the last minute (approximate sliding windows: two fixed windows weighted), counted in
 *   this process, in bounded maps.
 * - Disposable domains: the `disposable-email-domains` package's list (pinned; updated with the package).
 */
import { createHash, createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { createChallenge, randomInt, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { HoldLimits } from '../../../config.ts';
import { addressPrefix, emailDomain, type HoldReason, type Screening } from '../../../core/signatures/hold.ts';
import { mailboxKeyOf } from '../../../core/signatures/mailbox.ts';

const require = createRequire(import.meta.url);

/** A challenge is good for this long: a person reads the letter, types a name and signs within it. */
export const CHALLENGE_TTL_S = 30 * 60;
/** The honeypot field of the sign form: hidden from people (CSS and aria-hidden), filled in by naive bots. */
export const HONEYPOT_FIELD = 'website';
/** Large mailbox providers: many real people share them, so their domain is not a source worth a limit. */
const SHARED_PROVIDERS = new Set(['gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'yahoo.com', 'ymail.com', 'icloud.com',
  'me.com', 'mac.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.de', 'gmx.net', 'gmx.com', 'web.de', 'mail.ru', 'yandex.ru', 'yandex.com', 'zoho.com', 't-online.de',
  'orange.fr', 'free.fr', 'laposte.net', 'libero.it', 'qq.com', '163.com', 'naver.com']);

let disposable: Set<string> | undefined;
/** Whether the domain (or a parent domain) is on the disposable list; the list is read on first use. */
export function isDisposableDomain(domain: string): boolean {
  disposable ??= new Set(require('disposable-email-domains') as string[]);
  const parts = domain.toLowerCase().split('.');
  for (let i = 0; i + 1 < parts.length; i++) if (disposable.has(parts.slice(i).join('.'))) return true;
  return false;
}

/**
 * Counts in windows of `windowMs`; `count` is the previous window weighted by how much of it still overlaps the last
 * `windowMs`, plus the current one. At most `maxKeys` keys: past that the oldest keys are forgotten (an attacker
 * spreading over many keys gets each counted from zero, which the other limits and the proof of work still see).
 */
export class WindowCounter {
  private readonly current = new Map<string, number>();
  private previous = new Map<string, number>();
  private windowStart = 0;
  constructor(private readonly windowMs: number, private readonly maxKeys = 50_000) {}

  /** Adds one for `key` at `now` and returns the count including it. */
  hit(key: string, now: number): number {
    this.roll(now);
    const n = (this.current.get(key) ?? 0) + 1;
    if (!this.current.has(key) && this.current.size >= this.maxKeys) this.current.delete(this.current.keys().next().value!);
    this.current.set(key, n);
    const overlap = 1 - (now - this.windowStart) / this.windowMs;
    return n + Math.floor((this.previous.get(key) ?? 0) * overlap);
  }

  /** Takes back one hit of `key` made at `at` (a signing that was not stored after all). */
  unhit(key: string, at: number): void {
    const start = at - (at % this.windowMs);
    const map = start === this.windowStart ? this.current : start === this.windowStart - this.windowMs ? this.previous : undefined;
    const n = map?.get(key);
    if (!map || n === undefined) return;
    if (n <= 1) map.delete(key);
    else map.set(key, n - 1);
  }

  private roll(now: number) {
    const start = now - (now % this.windowMs);
    if (start === this.windowStart) return;
    this.previous = start - this.windowStart === this.windowMs ? new Map(this.current) : new Map();
    this.current.clear();
    this.windowStart = start;
  }
}

/** A set of used challenges, each kept until it expires; bounded (past the bound the soonest to expire leave). */
export class ReplaySet {
  private readonly used = new Map<string, number>();
  constructor(private readonly maxSize = 200_000) {}

  /** True the first time `key` is seen before `expiresAt` (seconds); false for a replay. */
  claim(key: string, expiresAt: number, nowS: number): boolean {
    const seen = this.used.get(key);
    if (seen !== undefined && seen >= nowS) return false;
    if (this.used.size >= this.maxSize) this.sweep(nowS);
    this.used.set(key, expiresAt);
    return true;
  }

  get size(): number {
    return this.used.size;
  }

  private sweep(nowS: number) {
    for (const [k, exp] of this.used) if (exp < nowS) this.used.delete(k);
    // Still full of live challenges: the oldest claims leave (their challenges expire first; inserted in order).
    for (const k of this.used.keys()) {
      if (this.used.size < this.maxSize) break;
      this.used.delete(k);
    }
  }
}

export interface ScreenInput {
  /** The client's address as the proxy settings decide it (req.ip). */
  ip: string;
  slug: string;
  body: Record<string, unknown> | undefined;
  now?: number;
}

/** A signing's screening, and how to take it back from the limits' counts when the signing was not stored. */
export interface ScreenResult extends Screening {
  notStored(): void;
}

export class SigningScreen {
  private readonly hmacSecret: string;
  private readonly keySecret: string;
  private readonly sourceSecret: string;
  private readonly replays = new ReplaySet();
  private readonly perHour = new WindowCounter(3600_000);
  private readonly perMinute = new WindowCounter(60_000, 10_000);

  constructor(secret: string, private readonly cost: number, private readonly limits: HoldLimits, private readonly enabled = true) {
    const derive = (label: string) => createHmac('sha256', secret).update(`undersigned:${label}`).digest('base64url');
    this.hmacSecret = derive('altcha-challenge');
    this.keySecret = derive('altcha-key');
    this.sourceSecret = derive('signing-source');
  }

  /** A new challenge for the widget or an API client: the counter is drawn from [cost/2, cost]. */
  challenge(now = Date.now()): Promise<Challenge> {
    return createChallenge({
      algorithm: 'SHA-256',
      cost: 1,
      counter: randomInt(this.cost, Math.ceil(this.cost / 2)),
      deriveKey,
      expiresAt: Math.floor(now / 1000) + CHALLENGE_TTL_S,
      hmacSignatureSecret: this.hmacSecret,
      hmacKeySignatureSecret: this.keySecret,
    });
  }

  /** Whether `raw` (the widget's base64 payload, or the same as a JSON object from the API) is a valid solution not used before. */
  async verify(raw: unknown, now = Date.now()): Promise<boolean> {
    let payload: unknown = raw;
    if (typeof raw === 'string') {
      if (raw.length > 8192) return false;
      try {
        payload = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
      } catch {
        return false;
      }
    }
    if (!payload || typeof payload !== 'object') return false;
    const { challenge, solution } = payload as { challenge?: Challenge; solution?: { counter: number; derivedKey: string } };
    if (!challenge || typeof challenge !== 'object' || !challenge.parameters || typeof challenge.parameters !== 'object' || !solution || typeof solution !== 'object') return false;
    try {
      const r = await verifySolution({ challenge, solution, deriveKey, hmacSignatureSecret: this.hmacSecret, hmacKeySignatureSecret: this.keySecret });
      if (!r.verified) return false;
    } catch {
      return false;
    }
    // Once only: the challenge's signature names it (nonce and salt are random).
    return this.replays.claim(String(challenge.signature), Number(challenge.parameters.expiresAt ?? 0), Math.floor(now / 1000));
  }

  /** The hashed prefix an address is grouped by (what organisers see as a source); stable across processes. */
  sourceOf(ip: string): string {
    const prefix = addressPrefix(ip) ?? ip;
    return createHmac('sha256', this.sourceSecret).update(prefix).digest('base64url').slice(0, 12);
  }

  /**
   * Why this signing is held (none: counted after confirmation as usual), and its source. The signing counts towards
   * the limits from now on; call `notStored()` when it was not stored after all (it failed validation, the letter is
   * closed…), so that only stored signings count: posts that fail cannot push real signers over a limit.
   */
  async screen(input: ScreenInput): Promise<ScreenResult> {
    const now = input.now ?? Date.now();
    const body = input.body ?? {};
    // Screening off (UNDERSIGNED_SCREENING=off): nothing is held; the source is still kept for the organisers.
    if (!this.enabled) return { hold: [], source: this.sourceOf(input.ip), notStored: () => {} };
    const hold: HoldReason[] = [];
    const honey = body[HONEYPOT_FIELD];
    if (honey !== undefined && honey !== null && honey !== '') hold.push('honeypot');
    const proof = await this.verify(body.altcha, now);
    if (!proof) hold.push('no-proof');
    const email = typeof body.email === 'string' ? body.email : '';
    const domain = email.includes('@') ? emailDomain(mailboxKeyOf(email)) : '';
    if (domain && isDisposableDomain(domain)) hold.push('disposable');
    const source = this.sourceOf(input.ip);
    const letter = createHash('sha256').update(input.slug).digest('base64url').slice(0, 12);
    // Every stored signing counts towards the limits, held or not: a flood is seen whatever it sends. Counted now
    // (so that signings at once see each other) and taken back by notStored().
    const hourKeys = [`a:${letter}:${input.ip}`, `p:${letter}:${source}`, ...(domain && !SHARED_PROVIDERS.has(domain) ? [`d:${letter}:${domain}`] : [])];
    const [byAddress, byPrefix, byDomain] = hourKeys.map((k) => this.perHour.hit(k, now));
    if (byAddress! > this.limits.address) hold.push('address');
    if (byPrefix! > this.limits.prefix) hold.push('prefix');
    if (byDomain !== undefined && byDomain > this.limits.domain) hold.push('domain');
    // The letter-wide burst holds only signings without a valid proof of work: one who rotates addresses (IPv6) to
    // flood a letter must not get every real signer, who solves the proof of work, held with them.
    const burstKey = `b:${letter}`;
    if (this.perMinute.hit(burstKey, now) > this.limits.burst && !proof) hold.push('burst');
    let taken = false;
    const notStored = () => {
      if (taken) return;
      taken = true;
      for (const k of hourKeys) this.perHour.unhit(k, now);
      this.perMinute.unhit(burstKey, now);
    };
    return { hold, source, notStored };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The signing screen shared by the sign form and the API (app.ts makes it). */
    screen: SigningScreen;
  }
}
