/**
 * The browser receipt checker, bundled on first request by esbuild from browser/verify-receipt.ts and the pure log
 * core, then kept in memory: the code the browser runs is built from the very sources the server and the audit
 * command run, with no build step to forget.
 */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let bundle: Promise<string> | undefined;

export function receiptCheckerScript(): Promise<string> {
  bundle ??= build({
    entryPoints: [join(here, 'browser', 'verify-receipt.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  }).then(
    (r) => r.outputFiles[0]!.text,
    (e: unknown) => {
      bundle = undefined;
      throw e;
    },
  );
  return bundle;
}
