/**
 * The proof-of-work widget's files, served by us (CSP: script-src 'self', no inline): /assets/altcha.js (our bundle
 * of the altcha package's CSP-clean build), /assets/altcha-sha.js (its SHA-256 worker) and /assets/altcha.css.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { altchaWidgetScript } from '../browser-bundle.ts';

const require = createRequire(import.meta.url);

export function altchaAssets() {
  return async (f: FastifyInstance) => {
    // The package exports no package.json: its stylesheet is found by its export, the worker beside it.
    const dist = dirname(dirname(require.resolve('altcha/altcha.css')));
    const worker = readFileSync(join(dist, 'workers', 'sha.js'));
    const css = readFileSync(join(dist, 'external', 'altcha.css'));
    const cache = 'public, max-age=3600';
    f.get('/assets/altcha.js', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', cache).send(await altchaWidgetScript()));
    f.get('/assets/altcha-sha.js', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', cache).send(worker));
    f.get('/assets/altcha.css', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', cache).send(css));
  };
}
