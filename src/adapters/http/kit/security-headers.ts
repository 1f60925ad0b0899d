/**
 * Security headers (CSP, frame, referrer, content-type and cross-origin policies), computed once at start-up.
 * @fastify/helmet rebuilt helmet's whole middleware (parsing the CSP directives again) on every request in two hooks;
 * the headers never change between requests, so they are worked out once here by running helmet's own middleware
 * against a recording response, and then copied onto every reply by one synchronous hook. Same values as before:
 * helmet still decides them, from the same options.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type HelmetOptions = Record<string, unknown>;
type Middleware = (req: unknown, res: unknown, next: (err?: unknown) => void) => void;

/** helmet itself, resolved from @fastify/helmet (whose dependency it is) so that both agree on the version. */
function helmetFactory(): (opts: HelmetOptions) => Middleware {
  const fromPlugin = createRequire(require.resolve('@fastify/helmet'));
  const mod = fromPlugin('helmet') as { default?: unknown };
  return (typeof mod === 'function' ? mod : mod.default) as (opts: HelmetOptions) => Middleware;
}

/** The headers helmet sets with these options, lower-cased names, in the order it sets them. */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
    getHeader(name: string) {
      return headers[name.toLowerCase()];
    },
  };
  let failed: unknown;
  helmetFactory()(options)({ method: 'GET', url: '/', headers: {} }, res, (err) => {
    failed = err;
  });
  if (failed) throw failed;
  if (!headers['content-security-policy']) throw new Error('security headers: helmet set no Content-Security-Policy');
  return headers;
}
