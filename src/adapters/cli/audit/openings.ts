/**
 * The audit's check of one bundle's openings export (/log/openings/<N>[.p/<W>], docs/transparency-log.md §7.3)
 * against the entries of that bundle: every name listed must sit at a `sig` entry of the bundle, at most once, and
 * recompute that entry's name commitment from its opening; erased items must sit at `sig` entries too. Nothing the
 * server sends is trusted: a malformed document, an index outside the bundle or on another kind of entry, a
 * duplicate, a wrong opening are all problems. Runs in the audit's worker thread (openings-worker.ts) or, where no
 * worker can start, in the audit itself.
 */
import { fromBase64, verifyCommitment, type LogCrypto } from '../../../core/log/index.ts';

export interface AuditProblem {
  code: string;
  message: string;
  letter?: string;
  index?: number;
  path?: string;
}

/** What the audit knows of one bundle once it has hashed and decoded it. */
export interface BundleSigs {
  /** Bundle number and width; its entries are first … first+width−1 with first = index·256. */
  index: number;
  width: number;
  /** 1 where the entry is a `sig` entry. */
  sig: Uint8Array;
  /** The `name` commitment of each entry (32 bytes each, zero where not a sig). */
  names: Uint8Array;
}

export interface OpeningsResult {
  index: number;
  /** Log indexes whose name was listed and recomputes its commitment. */
  verified: number[];
  /** Log indexes listed as erased public items. */
  erased: number[];
  /** [index, earlier index]: signature entries the server declares repeats (§7.8), for the counter to check. */
  duplicates: [number, number][];
  problems: AuditProblem[];
}

export const openingsPath = (entriesPath: string) => 'openings/' + entriesPath.slice('tile/entries/'.length);

export function checkOpenings(crypto: Pick<LogCrypto, 'hmacSha256'>, b: BundleSigs, body: Uint8Array, path: string): OpeningsResult {
  const out: OpeningsResult = { index: b.index, verified: [], erased: [], duplicates: [], problems: [] };
  const first = b.index * 256;
  let doc: { names?: unknown; erased?: unknown; duplicates?: unknown; from?: unknown; width?: unknown };
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) as typeof doc;
    if (!doc || typeof doc !== 'object' || !Array.isArray(doc.names) || !Array.isArray(doc.erased)) throw new Error('not an openings document');
    if ((doc.from !== undefined && doc.from !== first) || (doc.width !== undefined && doc.width !== b.width)) {
      throw new Error(`it describes entries from ${String(doc.from)}, width ${String(doc.width)}`);
    }
  } catch (e) {
    out.problems.push({ code: 'BAD_OPENINGS', path, message: `the openings export is not valid: ${(e as Error).message}` });
    return out;
  }
  const seen = new Uint8Array(b.width);
  const place = (index: unknown, kind: string): number | undefined => {
    if (!Number.isSafeInteger(index)) {
      out.problems.push({ code: 'BAD_OPENINGS', path, message: `the export lists ${kind} without a log index` });
      return undefined;
    }
    const i = (index as number) - first;
    if (i < 0 || i >= b.width || !b.sig[i]) {
      out.problems.push({ code: 'OPENING_BAD_INDEX', path, index: index as number, message: `the export lists ${kind} at entry ${String(index)}, which is not a signature in this bundle` });
      return undefined;
    }
    if (seen[i]) {
      out.problems.push({ code: 'BAD_OPENINGS', path, index: index as number, message: `the export lists entry ${String(index)} twice` });
      return undefined;
    }
    seen[i] = 1;
    return i;
  };
  for (const item of doc.names as unknown[]) {
    if (!Array.isArray(item) || item.length !== 3 || typeof item[1] !== 'string' || typeof item[2] !== 'string') {
      out.problems.push({ code: 'BAD_OPENINGS', path, message: 'a name item is not [index, name, opening]' });
      continue;
    }
    const i = place(item[0], 'a name');
    if (i === undefined) continue;
    let ok = false;
    try {
      ok = verifyCommitment(crypto, 'name', fromBase64(item[2]), item[1], b.names.subarray(i * 32, i * 32 + 32));
    } catch {
      ok = false;
    }
    if (ok) out.verified.push(first + i);
    else out.problems.push({ code: 'OPENING_MISMATCH', path, index: first + i, message: `the public name exported for entry ${first + i} does not match its commitment` });
  }
  for (const index of doc.erased as unknown[]) {
    const i = place(index, 'an erased name');
    if (i !== undefined) out.erased.push(first + i);
  }
  // Whether each is really a repeat of an earlier signature on the same letter is the counter's check (it knows
  // the entries before this bundle too).
  if (doc.duplicates !== undefined) {
    if (!Array.isArray(doc.duplicates)) out.problems.push({ code: 'BAD_OPENINGS', path, message: 'duplicates is not a list' });
    else {
      for (const d of doc.duplicates as unknown[]) {
        const at = Array.isArray(d) && d.length === 2 ? (d[0] as number) - first : -1;
        if (!Array.isArray(d) || d.length !== 2 || !Number.isSafeInteger(d[0]) || !Number.isSafeInteger(d[1]) || at < 0 || at >= b.width || !b.sig[at]) {
          out.problems.push({ code: 'BAD_OPENINGS', path, message: `a duplicates item is not [index of a signature in this bundle, earlier index]: ${JSON.stringify(d)}` });
          continue;
        }
        out.duplicates.push([d[0] as number, d[1] as number]);
      }
    }
  }
  return out;
}
