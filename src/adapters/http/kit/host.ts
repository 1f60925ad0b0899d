/**
 * Which Host a request may name, and who is this machine. Threat: DNS rebinding — a page on evil.example whose name
 * is made to resolve to this server's address (often 127.0.0.1 on a laptop) reads and posts our pages as its own
 * origin; its requests say `Host: evil.example`. We serve only the base URL's host, loopback names (which a rebinding
 * page cannot carry: it would be another origin than its own) and UNDERSIGNED_ALLOWED_HOSTS.
 */
import type { FastifyRequest } from 'fastify';
import { isIP } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The host part of a Host header value (lower case, port dropped, IPv6 brackets kept), or undefined if malformed. */
export function hostName(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  if (!v || v.length > 255) return undefined;
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/.exec(v);
  if (!m) return undefined;
  return m[1]!;
}

/**
 * A check of Host headers for one base URL: true when the request may be served. Ports are not compared: behind a
 * proxy the port a client used differs from the one we listen on, and the name is what rebinding forges.
 */
export function hostCheck(baseUrl: string, allowed: readonly string[] = []): (host: string | undefined) => boolean {
  const names = new Set([new URL(baseUrl).hostname.toLowerCase(), ...allowed.map((h) => hostName(h)).filter((h): h is string => Boolean(h))]);
  return (host) => {
    // HTTP/1.0 without Host: nothing to rebind.
    if (host === undefined) return true;
    const name = hostName(host);
    if (!name) return false;
    return names.has(name) || LOOPBACK_NAMES.has(name) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
  };
}

/** True when the TCP peer is this machine, whatever any header says (no proxy hop is believed). */
export function isLoopbackPeer(req: FastifyRequest): boolean {
  const a = req.socket?.remoteAddress ?? '';
  const addr = a.startsWith('::ffff:') ? a.slice(7) : a;
  if (isIP(addr) === 4) return addr.startsWith('127.');
  return addr === '::1';
}

/** True when the request came through a proxy (which may be on this machine and hide the real client). */
export function cameThroughProxy(req: FastifyRequest): boolean {
  const h = req.headers;
  return h['x-forwarded-for'] !== undefined || h.forwarded !== undefined || h['x-real-ip'] !== undefined || h.via !== undefined;
}
