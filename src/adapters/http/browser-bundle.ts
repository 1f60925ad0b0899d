/**
 * The code that runs in the browser — the receipt checker (browser/verify-receipt.ts with the pure log core) and the
 * sign form's proof-of-work widget (browser/altcha-widget.ts with the altcha package) — bundled on first request by
 * esbuild, then kept in memory: the browser runs code built from the very sources the server and the audit command
 * run, with no build step to forget. A failed build is not kept: the next request tries again.
 */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bundles = new Map<string, Promise<string>>();

function bundleOf(entry: string): Promise<string> {
  let b = bundles.get(entry);
  if (!b) {
    b = build({
      entryPoints: [join(here, 'browser', entry)],
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
        bundles.delete(entry);
        throw e;
      },
    );
    bundles.set(entry, b);
  }
  return b;
}

/** The sign form's proof-of-work widget, bundled once. */
export function altchaWidgetScript(): Promise<string> {
  return bundleOf('altcha-widget.ts');
}

/** The receipt checker, bundled once. */
export function receiptCheckerScript(): Promise<string> {
  return bundleOf('verify-receipt.ts');
}
