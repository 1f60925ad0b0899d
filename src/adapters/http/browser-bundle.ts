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
let altcha: Promise<string> | undefined;

/** The sign form's proof-of-work widget (browser/altcha-widget.ts with the altcha package), bundled once. */
export function altchaWidgetScript(): Promise<string> {
  altcha ??= bundleOf('altcha-widget.ts').catch((e: unknown) => {
    altcha = undefined;
    throw e;
  });
  return altcha;
}

function bundleOf(entry: string): Promise<string> {
  return build({
    entryPoints: [join(here, 'browser', entry)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0]!.text);
}

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
