/** Helpers for transparency-log tests: a tile reader over the app's HTTP routes, and a full verification. */
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { entriesPath, parseVerifierKey, tilePath, verifyLog, type IndexedEntry, type VerifyLogResult } from '../../src/core/log/index.ts';
import { nodeLogCrypto } from '../../src/adapters/crypto/node-crypto.ts';
import type { TestApp } from './app.ts';

const json = (payload: unknown) => ({ payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });

/** Signs through the API and confirms with the mailed token. */
export async function signAndConfirm(t: TestApp, slug: string, body: Record<string, unknown>) {
  const r = await t.http.inject({ method: 'POST', url: `/api/v1/letters/${slug}/signatures`, ...json(body) });
  assert.equal(r.statusCode, 202, r.body);
  await t.flushMail();
  const c = await t.http.inject({ method: 'POST', url: '/api/v1/confirmations', ...json({ token: t.mailer.lastToken(String(body.email)) }) });
  assert.equal(c.statusCode, 200, c.body);
  return c.json();
}

export function httpTileReader(http: FastifyInstance) {
  const get = async (path: string) => {
    const r = await http.inject(`/log/${path}`);
    if (r.statusCode !== 200) throw new Error(`GET /log/${path}: ${r.statusCode}`);
    return new Uint8Array(r.rawPayload);
  };
  return {
    readTile: (level: number, index: number, width: number) => get(tilePath({ level, index, width })),
    readEntryBundle: (index: number, width: number) => get(entriesPath(index, width)),
  };
}

/** Verifies the whole log as an auditor would, through HTTP; returns the result and every entry. */
export async function verifyOverHttp(http: FastifyInstance): Promise<VerifyLogResult & { all: IndexedEntry[] }> {
  const vkey = (await http.inject('/log/key')).body.trim();
  const verifier = parseVerifierKey(nodeLogCrypto, vkey);
  const checkpoint = (await http.inject('/log/checkpoint')).body;
  const all: IndexedEntry[] = [];
  const res = await verifyLog({ crypto: nodeLogCrypto, reader: httpTileReader(http), checkpoint, verifiers: [verifier], origin: verifier.name, onEntry: (e) => all.push(e) });
  assert.ok(res.ok, JSON.stringify(res.problems));
  return { ...res, all };
}
