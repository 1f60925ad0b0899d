/**
 * Checks a signer's `.tlog-proof` receipt in the browser, with no trust in the server: the same pure log core as
 * the sequencer and the audit command, bundled by esbuild (browser-bundle.ts) and served as a static same-origin
 * script (CSP script-src 'self'; nothing inline). Hashing, HMAC and Ed25519 come from @noble (synchronous, as the
 * core needs; WebCrypto only offers promises).
 *
 * Steps: fetch the log's verifier key; verify the receipt's checkpoint signature and the inclusion proof of the
 * entry it carries; fetch the current checkpoint and prove from the tiles that today's log extends the receipt's
 * (nothing was removed or rewritten); scan the later entry bundles for a withdrawal or removal of this entry; and,
 * given the private sidecar or a typed name, recompute the commitments.
 */
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import * as ed from '@noble/ed25519';
import {
  bytesEqual,
  consistencyProofFromTiles,
  decodeEntry,
  entriesPath,
  fromBase64,
  openCheckpoint,
  parseEntryBundle,
  parseVerifierKey,
  tilePath,
  tileWidthAt,
  TILE_WIDTH,
  verifyCommitment,
  verifyConsistency,
  verifyTlogProof,
  type LogCrypto,
} from '../../../core/log/index.ts';

ed.hashes.sha512 = sha512;

// The few browser globals used, typed here rather than adding lib "dom" to the whole project (it would retype
// Node's fetch for the server code). Module-scoped: nothing leaks into other files.
interface Elem {
  hidden: boolean;
  dir: string;
  className: string;
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  append(...nodes: Elem[]): void;
  replaceChildren(...nodes: Elem[]): void;
  querySelector<E extends Elem = Elem>(sel: string): E | null;
  addEventListener(type: string, cb: (ev: { preventDefault(): void }) => void): void;
}
interface InputElem extends Elem {
  value: string;
  files: ArrayLike<{ text(): Promise<string> }> | null;
}
declare const document: { getElementById(id: string): Elem | null; createElement(tag: string): Elem };

const crypto: LogCrypto = {
  sha256: (d) => sha256(d),
  hmacSha256: (k, d) => hmac(sha256, k, d),
  ed25519Sign: () => {
    throw new Error('signing is not needed here');
  },
  ed25519Verify: (pub, msg, sig) => {
    try {
      return ed.verify(sig, msg, pub);
    } catch {
      return false;
    }
  },
  ed25519PublicKey: (seed) => ed.getPublicKey(seed),
};

type Messages = Record<string, string>;

/** A message with its values filled in, each in first-strong isolates (a Latin title or email in an RTL line). */
function fmt(m: Messages, key: string, values: Record<string, string | number> = {}): string {
  return (m[key] ?? key).replace(/\{(\w+)\}/g, (_, k: string) => (values[k] === undefined || values[k] === '' ? '' : `\u2068${values[k]}\u2069`));
}

/** The letter's title in the page language, from the public API; its log id (the slug) if that fails. */
async function letterTitle(slug: string, lang: string): Promise<string> {
  try {
    const r = await fetch(`/api/v1/letters/${encodeURIComponent(slug)}`, NO_STORE);
    if (!r.ok) return slug;
    const j = (await r.json()) as { title?: string; versions?: { lang: string; title: string }[] };
    return j.versions?.find((v) => v.lang === lang)?.title ?? j.title ?? slug;
  } catch {
    return slug;
  }
}

/** Date and time in the page's calendar and digits; Arabic-script locales get the Arabic comma. */
function when(locale: string, seconds: number): string {
  const s = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(seconds * 1000));
  return /^(fa|ar)\b/.test(locale) ? s.replace(/, /g, '، ') : s;
}

/** Always ask the server (never a cached checkpoint); `cache` is a browser-only RequestInit field. */
const NO_STORE = { cache: 'no-store' } as unknown as RequestInit;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url, NO_STORE);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function fetchText(url: string): Promise<string> {
  const r = await fetch(url, NO_STORE);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.text();
}

const reader = {
  readTile: (level: number, index: number, width: number) => fetchBytes(`/log/${tilePath({ level, index, width })}`),
};

interface Sidecar {
  displayName?: string | null;
  nameOpening?: string | null;
  email?: string | null;
  contactOpening?: string | null;
}

async function check(root: Elem, receipt: string, sidecar: Sidecar | undefined, typedName: string): Promise<void> {
  const m = JSON.parse(root.dataset.messages ?? '{}') as Messages;
  const lang = root.dataset.locale ?? root.dataset.lang ?? 'en';
  const pageLang = root.dataset.lang ?? 'en';
  const out = root.querySelector<Elem>('.checks')!;
  const summary = root.querySelector<Elem>('.summary')!;
  out.replaceChildren();
  summary.textContent = fmt(m, 'verify.running');
  let failed = false;
  const line = (ok: boolean, text: string) => {
    if (!ok) failed = true;
    const li = document.createElement('li');
    li.className = ok ? 'check-ok' : 'check-bad';
    li.textContent = (ok ? '✓ ' : '✗ ') + text;
    out.append(li);
  };
  try {
    const vkey = (await fetchText('/log/key')).trim();
    const verifier = parseVerifierKey(crypto, vkey);
    const keyLine = document.createElement('li');
    keyLine.className = 'check-info';
    keyLine.textContent = fmt(m, 'verify.key', { key: '' });
    // The key is Latin text with + and /: isolated left to right, or an RTL page would reorder it.
    const code = document.createElement('bdi');
    code.dir = 'ltr';
    code.textContent = vkey;
    keyLine.append(code);
    out.append(keyLine);
    const origin = verifier.name;
    const r = verifyTlogProof(crypto, receipt, { verifiers: [verifier], origin });
    line(true, fmt(m, 'verify.ok.checkpoint', { size: r.checkpoint.size.toLocaleString(lang) }));
    line(true, fmt(m, 'verify.ok.inclusion', { index: r.index.toLocaleString(lang) }));
    const entry = decodeEntry(r.extra!);
    if (entry.type !== 'sig') throw new Error('the receipt is not for a signature entry');
    line(true, fmt(m, 'verify.ok.entry', { letter: await letterTitle(entry.letter, pageLang), time: when(lang, entry.time) }));

    const current = openCheckpoint(await fetchText('/log/checkpoint'), [verifier], origin).checkpoint;
    const old = r.checkpoint;
    let consistent = false;
    if (current.size === old.size) consistent = bytesEqual(current.root, old.root);
    else if (current.size > old.size) {
      const proof = await consistencyProofFromTiles(crypto, reader, old.size, current.size);
      consistent = verifyConsistency(crypto, old.size, current.size, proof, old.root, current.root);
    }
    line(consistent, consistent ? fmt(m, 'verify.ok.consistent', { size: current.size.toLocaleString(lang) }) : fmt(m, 'verify.fail', { message: 'inconsistent checkpoints' }));

    // Later entries: does any withdraw or remove this signature?
    let cancelled: { index: number; type: string; reason: string } | undefined;
    for (let k = Math.floor((r.index + 1) / TILE_WIDTH); k * TILE_WIDTH < current.size && !cancelled; k++) {
      const w = tileWidthAt(0, k, current.size);
      const entries = parseEntryBundle(await fetchBytes(`/log/${entriesPath(k, w)}`), w);
      entries.forEach((bytes, i) => {
        const index = k * TILE_WIDTH + i;
        if (index <= r.index || cancelled) return;
        try {
          const e = decodeEntry(bytes);
          if ((e.type === 'withdraw' || e.type === 'remove') && e.ref === r.index) cancelled = { index, type: e.type, reason: e.reason };
        } catch {
          // not ours to judge here: the audit reports undecodable entries
        }
      });
    }
    if (cancelled) line(false, fmt(m, 'verify.bad.cancelled', { index: cancelled.index.toLocaleString(lang), type: cancelled.type, reason: cancelled.reason }));
    else line(true, fmt(m, 'verify.ok.active'));

    const opening = sidecar?.nameOpening ? fromBase64(sidecar.nameOpening) : undefined;
    for (const name of new Set([sidecar?.displayName ?? '', typedName].filter((x) => x))) {
      const ok = !!opening && verifyCommitment(crypto, 'name', opening, name, entry.name);
      line(ok, fmt(m, ok ? 'verify.ok.name' : 'verify.bad.name', { name }));
    }
    if (sidecar?.email && sidecar.contactOpening) {
      const ok = verifyCommitment(crypto, 'contact', fromBase64(sidecar.contactOpening), sidecar.email, entry.contact);
      line(ok, fmt(m, ok ? 'verify.ok.contact' : 'verify.bad.contact', { email: sidecar.email }));
    }
  } catch (e) {
    line(false, fmt(m, 'verify.fail', { message: (e as Error).message }));
  }
  summary.textContent = fmt(m, failed ? 'verify.done.bad' : 'verify.done.ok');
  summary.className = 'summary ' + (failed ? 'check-bad' : 'check-ok');
  root.dataset.result = failed ? 'bad' : 'ok';
}

async function readFile(input: InputElem | null): Promise<string | undefined> {
  const f = input?.files?.[0];
  return f ? f.text() : undefined;
}

function init(): void {
  const root = document.getElementById('receipt-check');
  if (!root) return;
  root.hidden = false;
  const form = root.querySelector('form');
  form?.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      const receipt = (await readFile(form.querySelector<InputElem>('input[name=receipt]'))) ?? (root.dataset.receipt ? await fetchText(root.dataset.receipt) : undefined);
      const side = await readFile(form.querySelector<InputElem>('input[name=sidecar]'));
      const sidecar = side ? (JSON.parse(side) as Sidecar) : root.dataset.sidecar ? (JSON.parse(await fetchText(root.dataset.sidecar)) as Sidecar) : undefined;
      const name = form.querySelector<InputElem>('input[name=name]')?.value.trim() ?? '';
      if (receipt) await check(root, receipt, sidecar, name);
    })();
  });
  // Reached from the receipt page: check at once.
  if (root.dataset.receipt) {
    void (async () => {
      const receipt = await fetchText(root.dataset.receipt!);
      const sidecar = root.dataset.sidecar ? (JSON.parse(await fetchText(root.dataset.sidecar)) as Sidecar) : undefined;
      await check(root, receipt, sidecar, '');
    })().catch((e: Error) => {
      root.querySelector('.summary')!.textContent = e.message;
    });
  }
}

init();
