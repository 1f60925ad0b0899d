/**
 * A response rendered once and sent as bytes to everyone: the body, its gzip and brotli variants, a strong ETag per
 * variant and the headers, all computed when the data changes rather than on each request. Threat: a letter page
 * reloaded by tens of thousands of people a second; behind a CDN, the same bytes are shared by every visitor.
 */
import { createHash } from 'node:crypto';
import { brotliCompress, brotliCompressSync, constants, crc32, deflateRawSync, gzip, gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type Coding = 'br' | 'gzip' | 'identity';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * How hard to compress. `best` for pages rendered once per change and sent many times (the letter's first page: the
 * extra milliseconds are spent once, off the event loop); `fast` for pages rendered on demand (deep list pages).
 */
export type Effort = 'best' | 'fast';

const GZIP_LEVEL: Record<Effort, number> = { best: 9, fast: 5 };
// Brotli 10 is within 1 % of 11 on these pages at a fraction of the time (~10 ms against 30-80 ms for 38 kB here).
const BROTLI_QUALITY: Record<Effort, number> = { best: 10, fast: 4 };

function brotliOptions(effort: Effort, size: number) {
  return { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY[effort], [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: size } };
}

/** What a request accepts. */
export interface Accepts {
  br: boolean;
  gzip: boolean;
}

/** Accept-Encoding values seen, and what each accepts: browsers send a handful of distinct values. */
const accepted = new Map<string, Accepts>();
const NOTHING: Accepts = { br: false, gzip: false };

/**
 * The codings a request accepts among brotli and gzip. q=0 refuses a coding; `*` stands for those not named.
 * Identity is always acceptable here (RFC 9110 §12.5.3 lets a server send it even when refused).
 */
export function acceptsOf(header: string | string[] | undefined): Accepts {
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (!raw) return NOTHING;
  let a = accepted.get(raw);
  if (a) return a;
  const q: Record<string, number> = {};
  for (const part of raw.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) weight = Number(m[1]);
    }
    q[name] = Number.isFinite(weight) ? weight : 0;
  }
  const ok = (k: string) => (k in q ? q[k]! > 0 : '*' in q && q['*']! > 0);
  a = { br: ok('br'), gzip: ok('gzip') || ok('x-gzip') };
  // Bounded: the header is the client's to choose.
  if (accepted.size < 1000) accepted.set(raw, a);
  return a;
}

/** The coding to send of those offered: brotli if accepted, else gzip, else none. */
export function chooseCoding(header: string | string[] | undefined, offered: { br: boolean } = { br: true }): Coding {
  const a = acceptsOf(header);
  return a.br && offered.br ? 'br' : a.gzip ? 'gzip' : 'identity';
}

/**
 * The unchanging parts of pages built around one changing part (the letter page around its list of names), with
 * their gzip compression done once. A gzip member is a header, deflate blocks, and a CRC-32 and length: the head is
 * compressed up to a full flush (byte-aligned, no reference across it) and the tail to the end, so a page's gzip is
 * the head's blocks, its own part's blocks, the tail's blocks and a new trailer. Only the changing part is compressed
 * per page (a third of the bytes), which is what makes compressing pages rendered on demand affordable.
 */
export class GzipFrame {
  readonly head: string;
  readonly tail: string;
  private readonly tailBytes: Buffer;
  private readonly gzHead: Buffer;
  private readonly gzTail: Buffer;
  private readonly crcHead: number;
  private readonly size: number;

  constructor(head: string, tail: string) {
    this.head = head;
    this.tail = tail;
    const headBytes = Buffer.from(head);
    this.tailBytes = Buffer.from(tail);
    this.size = headBytes.length + this.tailBytes.length;
    // RFC 1952 header: magic, deflate, no flags, no mtime, no extra flags, OS unknown.
    const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    this.gzHead = Buffer.concat([header, deflateRawSync(headBytes, { level: GZIP_LEVEL.best, finishFlush: constants.Z_FULL_FLUSH })]);
    this.gzTail = deflateRawSync(this.tailBytes, { level: GZIP_LEVEL.best });
    this.crcHead = crc32(headBytes);
  }

  /** The whole page as text. */
  text(middle: string): string {
    return this.head + middle + this.tail;
  }

  /**
   * The whole page's gzip. The changing part is compressed with a small window and little memory: zlib's state is
   * allocated per call and counted as external memory, and at the default sizes (~270 kB a call) it made V8 run
   * full collections of a heap holding a million names every few hundred pages.
   */
  gzip(middle: string): Buffer {
    const mid = Buffer.from(middle);
    const trailer = Buffer.allocUnsafe(8);
    trailer.writeUInt32LE(crc32(this.tailBytes, crc32(mid, this.crcHead)) >>> 0, 0);
    trailer.writeUInt32LE((this.size + mid.length) % 2 ** 32, 4);
    const body = deflateRawSync(mid, { level: 4, windowBits: 12, memLevel: 5, chunkSize: 8 * 1024, finishFlush: constants.Z_FULL_FLUSH });
    return Buffer.concat([this.gzHead, body, this.gzTail, trailer]);
  }
}

interface Variant {
  body: Buffer | string;
  headers: Record<string, string>;
  etag: string;
}

export interface RepresentationOptions {
  contentType: string;
  cacheControl: string;
  effort: Effort;
}

/** One response body and its compressed variants, with their headers. */
export class Representation {
  private readonly variants: Partial<Record<Coding, Variant>> = {};
  readonly size: number;

  private constructor(
    readonly identity: Buffer | string,
    private readonly tag: string,
    private readonly opts: RepresentationOptions,
    /** Whether brotli is offered (pages assembled from a GzipFrame offer gzip only). */
    readonly offered = { br: true },
  ) {
    // For text, characters (only a bound for caches: sizes of Buffers are exact).
    this.size = identity.length;
    this.variants.identity = this.variant('identity', identity);
  }

  private variant(coding: Coding, body: Buffer | string): Variant {
    // A strong ETag per variant: the bytes differ, so must the validators (RFC 9110 §8.8.3).
    const etag = coding === 'identity' ? `"${this.tag}"` : `"${this.tag}-${coding}"`;
    const headers: Record<string, string> = {
      'content-type': this.opts.contentType,
      'cache-control': this.opts.cacheControl,
      vary: 'Accept-Encoding',
      etag,
    };
    if (coding !== 'identity') headers['content-encoding'] = coding;
    return { body, headers, etag };
  }

  static tagOf(body: Buffer | string): string {
    return createHash('sha1').update(body).digest('base64url');
  }

  /** Compressed now, off the event loop (libuv's thread pool): for `best`. */
  static async build(text: string, opts: RepresentationOptions): Promise<Representation> {
    const body = Buffer.from(text);
    const r = new Representation(body, Representation.tagOf(body), opts);
    const [gz, br] = await Promise.all([gzipAsync(body, { level: GZIP_LEVEL[opts.effort] }), brotliAsync(body, brotliOptions(opts.effort, body.length))]);
    r.variants.gzip = r.variant('gzip', gz);
    r.variants.br = r.variant('br', br);
    return r;
  }

  /** Compressed when a client first asks for a coding, synchronously: for `fast` (well under a millisecond). */
  static lazy(text: string, opts: RepresentationOptions): Representation {
    const body = Buffer.from(text);
    return new Representation(body, Representation.tagOf(body), opts);
  }

  /** A page assembled from a GzipFrame around `middle`: text, and gzip when first asked for; no brotli. */
  static assembled(frame: GzipFrame, middle: string, tag: string, opts: RepresentationOptions): Representation {
    const r = new Representation(frame.text(middle), tag, opts, { br: false });
    r.gzipOf = () => frame.gzip(middle);
    return r;
  }

  private gzipOf: (() => Buffer) | undefined;

  get(coding: Coding): Variant {
    let v = this.variants[coding];
    if (!v) {
      const raw = () => (typeof this.identity === 'string' ? Buffer.from(this.identity) : this.identity);
      let body: Buffer;
      if (coding === 'br') {
        const b = raw();
        body = brotliCompressSync(b, brotliOptions(this.opts.effort, b.length));
      } else {
        body = this.gzipOf ? this.gzipOf() : gzipSync(raw(), { level: GZIP_LEVEL[this.opts.effort] });
        this.gzipOf = undefined;
      }
      v = this.variant(coding, body);
      this.variants[coding] = v;
    }
    return v;
  }

  /** Bytes held (for cache bounds). */
  get bytes(): number {
    let n = 0;
    for (const v of Object.values(this.variants)) n += typeof v!.body === 'string' ? v!.body.length * 2 : v!.body.length;
    return n;
  }
}

function matches(header: string | string[] | undefined, etag: string): boolean {
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (!raw) return false;
  if (raw.trim() === '*') return true;
  // Weak comparison, as If-None-Match asks (RFC 9110 §13.1.2).
  for (const t of raw.split(',')) {
    const v = t.trim();
    if (v === etag || v === `W/${etag}`) return true;
  }
  return false;
}

/** Sends the variant the request accepts, or 304 when If-None-Match names its ETag. */
export function sendRepresentation(req: FastifyRequest, reply: FastifyReply, r: Representation): FastifyReply {
  const v = r.get(chooseCoding(req.headers['accept-encoding'], r.offered));
  if (matches(req.headers['if-none-match'], v.etag)) {
    // A 304 repeats the validators and caching headers of the 200 it stands for (RFC 9110 §15.4.5).
    return reply.code(304).header('etag', v.etag).header('cache-control', v.headers['cache-control']!).header('vary', 'Accept-Encoding').send();
  }
  return reply.headers(v.headers).send(v.body);
}
