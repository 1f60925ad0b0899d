/**
 * Our static files by URL path (/assets/…, /assets/fonts/…), read once and kept: what the document renderer gives
 * the browser for a print view or a card (main.ts hands it to adapters/pdf). The same folders app.ts serves.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ASSETS = join(dirname(fileURLToPath(import.meta.url)), 'assets');
const FONTS = join(dirname(require.resolve('vazirmatn/package.json')), 'fonts', 'webfonts');
const TYPES: Record<string, string> = { css: 'text/css; charset=utf-8', woff2: 'font/woff2', svg: 'image/svg+xml', png: 'image/png' };

const files = new Map<string, Promise<{ body: Buffer; type: string } | undefined>>();

/** The file at a URL path under /assets/, or undefined (unknown, outside the folders, unreadable). */
export function assetFile(path: string): Promise<{ body: Buffer; type: string } | undefined> {
  let hit = files.get(path);
  if (hit) return hit;
  const [root, rest] = path.startsWith('/assets/fonts/') ? [FONTS, path.slice(14)] : path.startsWith('/assets/') ? [ASSETS, path.slice(8)] : [undefined, ''];
  const file = root ? normalize(join(root, rest)) : undefined;
  const type = TYPES[rest.split('.').pop() ?? ''];
  if (!file || !type || !file.startsWith(root + sep)) return Promise.resolve(undefined);
  hit = readFile(file).then((body) => ({ body, type }), () => undefined);
  // A few files (a stylesheet, a font or two); the bound only keeps odd paths from growing it.
  if (files.size < 50) files.set(path, hit);
  return hit;
}
