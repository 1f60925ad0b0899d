/**
 * Response bodies of public GET routes, serialised once and reused while their inputs are unchanged. Threat: a
 * crowd refreshing one letter's count. A body is rebuilt when any input differs (compared by identity: PublicReads
 * returns the same letter, removals and list version until it reads them again) or when it is older than maxAgeMs
 * (for what no input tracks, such as log indexes assigned by the sequencer). Each body has a strong ETag, so a
 * client or CDN revalidating gets a 304.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** What reply.serialize() returns. */
type Serialised = string | Uint8Array | ArrayBuffer;

export interface Body {
  inputs: readonly unknown[];
  at: number;
  json: Buffer;
  etag: string;
}

export class Bodies {
  private bodies = new Map<string, Body>();

  /** @param max bound on entries (each one serialised body); past it the map is emptied and fills again. */
  constructor(private readonly max: number, private readonly maxAgeMs = Infinity) {}

  async get(key: string, inputs: readonly unknown[], serialise: () => Serialised | Promise<Serialised>): Promise<Body> {
    const hit = this.bodies.get(key);
    const now = performance.now();
    if (hit && now - hit.at < this.maxAgeMs && hit.inputs.length === inputs.length && hit.inputs.every((x, i) => x === inputs[i])) return hit;
    const out = await serialise();
    const json = typeof out === 'string' ? Buffer.from(out) : Buffer.from(out instanceof ArrayBuffer ? new Uint8Array(out) : out);
    const body = { inputs, at: now, json, etag: `"${createHash('sha1').update(json).digest('base64url')}"` };
    if (this.bodies.size >= this.max) this.bodies.clear();
    this.bodies.set(key, body);
    return body;
  }
}

function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === etag || v === `W/${etag}`;
  });
}

/** Sends the body, or 304 when the request's If-None-Match names its ETag. */
export function sendBody(req: FastifyRequest, reply: FastifyReply, body: Body): FastifyReply {
  reply.header('etag', body.etag);
  if (matches(req.headers['if-none-match'], body.etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(body.json);
}
