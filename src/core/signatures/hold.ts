/**
 * Held signatures (issue 15 item 7): a signing that looks automated is kept, mailed and confirmable as any other,
 * but not counted, listed or logged until an organiser releases it. Nothing here refuses a signer.
 *
 * The reasons a signing is held, decided by the HTTP adapter (which sees the request) and stored on the signature:
 * - `no-proof`: no valid, unused proof-of-work solution (JavaScript off, a script, a replayed solution);
 * - `address`, `prefix`, `domain`, `burst`: over a limit per client address, per /24 (IPv4) or /64 (IPv6) prefix,
 *   per email domain, or for the whole letter in a minute;
 * - `disposable`: the address is at a disposable-mail domain;
 * - `honeypot`: the form's hidden field, which people never see, was filled in.
 */
export const HOLD_REASONS = ['no-proof', 'address', 'prefix', 'domain', 'burst', 'disposable', 'honeypot'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** What the adapter found about one signing: why it is held (empty: not held) and its source (a hashed prefix). */
export interface Screening {
  hold: readonly HoldReason[];
  /** The client's address prefix, hashed (never the address): what organisers group signings by. */
  source?: string | undefined;
}

/** Stored form: the reasons in HOLD_REASONS order, comma-separated; undefined when there is none. */
export function formatHold(reasons: readonly HoldReason[]): string | undefined {
  const set = new Set(reasons);
  const out = HOLD_REASONS.filter((r) => set.has(r));
  return out.length ? out.join(',') : undefined;
}

/** Reasons from the stored form; unknown words are dropped (a newer release's reason read by an older one). */
export function parseHold(stored: string | undefined | null): HoldReason[] {
  if (!stored) return [];
  const words = new Set(stored.split(','));
  return HOLD_REASONS.filter((r) => words.has(r));
}

/**
 * The prefix an address is grouped by: its /24 for IPv4 (and IPv4-mapped IPv6), its /64 for IPv6; undefined for
 * something that is not an address. A household, an office or a mobile carrier's NAT shares one.
 */
export function addressPrefix(ip: string): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v4 = mapped ? mapped[1]! : ip;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v4);
  if (m) {
    const parts = m.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return `${parts[0]}.${parts[1]}.${parts[2]}.0/24`;
  }
  const groups = expandIpv6(ip);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : undefined;
}

/** The eight groups of an IPv6 address, lower case without leading zeros; undefined when it is not one. */
export function expandIpv6(ip: string): string[] | undefined {
  const bare = ip.replace(/%.*$/, '').toLowerCase();
  if (!/^[0-9a-f:]+$/.test(bare) || bare.length > 39) return undefined;
  const halves = bare.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => g.replace(/^0+(?=.)/, ''));
}

/** The domain of an email address (after the last @), lower case. */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}
