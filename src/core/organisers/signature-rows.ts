/**
 * Paper and imported signatures: the rows an organiser brings (a CSV file, or JSON rows through the organiser API),
 * checked here as a signer's form is, with every problem named by its line and a stable code. Names are kept exactly
 * as typed (only trimmed: ZWNJ, Persian ی and ک, Arabic ي and ك stay what they are); nothing is imported unless every
 * row passes.
 */
import type { FieldErrorCode } from '../errors.ts';
import type { Visibility } from '../model.ts';
import { checkText } from '../text.ts';
import { isCountryCode } from '../countries.ts';
import { holdsAddress } from '../signatures/mailbox.ts';
import { SIGNATURE_LIMITS } from '../signatures/signature.ts';

/** Where a signature not confirmed by email came from. */
export const ADDED_SOURCES = ['paper', 'imported'] as const;
export type AddedSource = (typeof ADDED_SOURCES)[number];

/**
 * At most this many rows in one import (a bigger sheet is split): an import is one transaction, and on SQLite every
 * other write waits for it. Measured on the shared 2-core machine: 1,000 rows 1.3 s on SQLite and 5.6 s on
 * PostgreSQL (each row is inserted, keyed and compared with up to 200 candidates by the names engine); 10,000 rows
 * took 34 s and 245 s. A large list of signatories comes with its letter (`undersigned import`, in batches).
 */
export const MAX_IMPORT_ROWS = 1_000;

export interface AddedRow {
  /** The line of the file (1 = the header) or, for JSON rows, the row's position counted from 1. */
  line: number;
  name: string;
  nameAlt?: string | undefined;
  title?: string | undefined;
  country?: string | undefined;
  lang: string;
  visibility: Visibility;
}

/** File-level codes (the whole file is refused) and the row's field codes. */
export type RowProblemCode = FieldErrorCode | 'UNCLOSED_QUOTE' | 'EXTRA_CELLS' | 'NO_NAME_COLUMN' | 'UNKNOWN_COLUMN' | 'NO_ROWS' | 'TOO_MANY_ROWS';

export interface RowProblem {
  /** The line (0 for the file as a whole, e.g. no rows). */
  line: number;
  /** The column (name, nameAlt, title, country, lang, visibility) or '' for the row or the file. */
  field: string;
  code: RowProblemCode;
  limit?: number | undefined;
}

export interface ParsedRows {
  rows: AddedRow[];
  problems: RowProblem[];
}

/** Header spellings accepted for each column (case and spaces ignored). */
const COLUMNS: Record<string, keyof RawRow> = {
  name: 'name', displayname: 'name',
  namealt: 'nameAlt', name_alt: 'nameAlt', altname: 'nameAlt', othername: 'nameAlt', 'name (other script)': 'nameAlt',
  title: 'title', affiliation: 'title',
  country: 'country',
  lang: 'lang', language: 'lang',
  visibility: 'visibility',
};

interface RawRow {
  name?: unknown;
  nameAlt?: unknown;
  title?: unknown;
  country?: unknown;
  lang?: unknown;
  visibility?: unknown;
}

/**
 * RFC 4180 records: quoted cells may hold commas, quotes ("") and line breaks; CRLF, LF or CR end a record; a leading
 * byte-order mark is dropped. Each record keeps the line it starts on. Blank lines are skipped.
 */
export function parseCsv(text: string): { records: { line: number; cells: string[] }[]; unclosedAt?: number | undefined } {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: { line: number; cells: string[] }[] = [];
  let line = 1;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let inQuotes = false;
    for (;;) {
      if (i >= n) {
        if (inQuotes) return { records, unclosedAt: start };
        cells.push(cell);
        break;
      }
      const ch = s[i]!;
      if (inQuotes) {
        if (ch === '"') {
          if (s[i + 1] === '"') {
            cell += '"';
            i += 2;
          } else {
            inQuotes = false;
            i++;
          }
        } else {
          if (ch === '\n' || (ch === '\r' && s[i + 1] !== '\n')) line++;
          cell += ch;
          i++;
        }
        continue;
      }
      if (ch === '"' && cell.trim() === '' && !quoted) {
        inQuotes = true;
        quoted = true;
        cell = '';
        i++;
      } else if (ch === ',') {
        cells.push(cell);
        cell = '';
        quoted = false;
        i++;
      } else if (ch === '\r' || ch === '\n') {
        i += ch === '\r' && s[i + 1] === '\n' ? 2 : 1;
        line++;
        cells.push(cell);
        break;
      } else {
        cell += ch;
        i++;
      }
    }
    if (cells.length === 1 && cells[0]!.trim() === '' ) continue;
    records.push({ line: start, cells });
  }
  return { records };
}

/** Checks one row as the sign form checks a signer's fields (no address: nobody is mailed). */
function checkRow(raw: RawRow, line: number, letter: { defaultLang: string; versions: readonly { lang: string }[] }, problems: RowProblem[]): AddedRow | undefined {
  const errors: { field: string; code: FieldErrorCode; limit?: number }[] = [];
  const name = checkText(raw.name, { field: 'name', required: true, max: SIGNATURE_LIMITS.name, refuseBidi: true }, errors);
  const nameAlt = checkText(raw.nameAlt, { field: 'nameAlt', max: SIGNATURE_LIMITS.nameAlt, refuseBidi: true }, errors);
  const title = checkText(raw.title, { field: 'title', max: SIGNATURE_LIMITS.title, refuseBidi: true }, errors);
  if (name !== undefined && !errors.some((e) => e.field === 'name') && !/\p{L}/u.test(name)) errors.push({ field: 'name', code: 'TOO_SHORT', limit: 1 });
  for (const [field, value] of [['name', name], ['nameAlt', nameAlt], ['title', title]] as const) {
    if (value !== undefined && !errors.some((e) => e.field === field) && holdsAddress(value)) errors.push({ field, code: 'HOLDS_ADDRESS' });
  }
  let country: string | undefined;
  if (raw.country !== undefined && raw.country !== null && String(raw.country).trim() !== '') {
    const c = typeof raw.country === 'string' ? raw.country.trim().toUpperCase() : '';
    if (isCountryCode(c)) country = c;
    else errors.push({ field: 'country', code: 'INVALID_COUNTRY' });
  }
  let lang = letter.defaultLang;
  if (raw.lang !== undefined && raw.lang !== null && String(raw.lang).trim() !== '') {
    const l = typeof raw.lang === 'string' ? raw.lang.trim() : '';
    if (letter.versions.some((v) => v.lang === l)) lang = l;
    else errors.push({ field: 'lang', code: 'INVALID_CHOICE' });
  }
  let visibility: Visibility = 'public';
  if (raw.visibility !== undefined && raw.visibility !== null && String(raw.visibility).trim() !== '') {
    const v = typeof raw.visibility === 'string' ? raw.visibility.trim().toLowerCase() : '';
    if (v === 'public' || v === 'hidden') visibility = v;
    else errors.push({ field: 'visibility', code: 'INVALID_CHOICE' });
  }
  for (const e of errors) problems.push({ line, field: e.field, code: e.code, ...(e.limit !== undefined ? { limit: e.limit } : {}) });
  if (errors.length || name === undefined) return undefined;
  return { line, name, nameAlt, title, country, lang, visibility };
}

function finish(rows: AddedRow[], problems: RowProblem[], count: number): ParsedRows {
  if (count === 0 && !problems.length) problems.push({ line: 0, field: '', code: 'NO_ROWS' });
  if (count > MAX_IMPORT_ROWS) problems.push({ line: 0, field: '', code: 'TOO_MANY_ROWS', limit: MAX_IMPORT_ROWS });
  return { rows: problems.length ? [] : rows, problems };
}

/** A CSV file with a header line naming its columns (`name` required; nameAlt, title, country, lang, visibility). */
export function parseSignatureCsv(text: string, letter: { defaultLang: string; versions: readonly { lang: string }[] }): ParsedRows {
  const problems: RowProblem[] = [];
  const { records, unclosedAt } = parseCsv(text);
  if (unclosedAt !== undefined) return { rows: [], problems: [{ line: unclosedAt, field: '', code: 'UNCLOSED_QUOTE' }] };
  const head = records[0];
  if (!head) return { rows: [], problems: [{ line: 0, field: '', code: 'NO_ROWS' }] };
  const columns = head.cells.map((c) => COLUMNS[c.trim().toLowerCase().replace(/[\s-]+/g, '')] ?? COLUMNS[c.trim().toLowerCase()]);
  head.cells.forEach((c, i) => {
    if (!columns[i] && c.trim() !== '') problems.push({ line: head.line, field: c.trim().slice(0, 40), code: 'UNKNOWN_COLUMN' });
  });
  if (!columns.includes('name')) problems.push({ line: head.line, field: 'name', code: 'NO_NAME_COLUMN' });
  if (problems.length) return { rows: [], problems };
  const body = records.slice(1);
  if (body.length > MAX_IMPORT_ROWS) return finish([], problems, body.length);
  const rows: AddedRow[] = [];
  for (const r of body) {
    if (r.cells.length > columns.length && r.cells.slice(columns.length).some((c) => c.trim() !== '')) {
      problems.push({ line: r.line, field: '', code: 'EXTRA_CELLS', limit: columns.length });
      continue;
    }
    const raw: RawRow = {};
    columns.forEach((k, i) => {
      if (k) raw[k] = r.cells[i] ?? '';
    });
    const row = checkRow(raw, r.line, letter, problems);
    if (row) rows.push(row);
  }
  return finish(rows, problems, body.length);
}

/** JSON rows (`[{name, nameAlt, title, country, lang, visibility}, …]`); a row's "line" is its position from 1. */
export function parseSignatureJson(items: unknown, letter: { defaultLang: string; versions: readonly { lang: string }[] }): ParsedRows {
  const problems: RowProblem[] = [];
  if (!Array.isArray(items)) return { rows: [], problems: [{ line: 0, field: 'rows', code: 'INVALID_TYPE' }] };
  if (items.length > MAX_IMPORT_ROWS) return finish([], problems, items.length);
  const rows: AddedRow[] = [];
  items.forEach((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push({ line: i + 1, field: '', code: 'INVALID_TYPE' });
      return;
    }
    const known = new Set(['name', 'nameAlt', 'title', 'country', 'lang', 'visibility']);
    for (const k of Object.keys(item)) if (!known.has(k)) problems.push({ line: i + 1, field: k.slice(0, 40), code: 'UNKNOWN_COLUMN' });
    const row = checkRow(item as RawRow, i + 1, letter, problems);
    if (row) rows.push(row);
  });
  return finish(rows, problems, items.length);
}

/** The text an import is known by (its rows as checked): importing the same rows again is refused as a repeat. */
export function rowsFingerprint(source: AddedSource, rows: readonly AddedRow[]): string {
  return JSON.stringify([source, rows.map((r) => [r.name, r.nameAlt ?? '', r.title ?? '', r.country ?? '', r.lang, r.visibility])]);
}

/** One import of rows (a file or a JSON body): recorded once per letter and rows, so a repeat adds nothing. */
export interface SignatureImport {
  id: string;
  letterId: string;
  /** SHA-256 (hex) of rowsFingerprint: the same rows imported again are a repeat. */
  rowsHash: string;
  source: AddedSource;
  /** The organiser's address, or `operator` for the local CLI. */
  addedBy: string;
  rows: number;
  createdAt: string;
}

/** How one signature was added by an organiser (the signatures confirmed by email have none). */
export interface AddedSignature {
  signatureId: string;
  letterId: string;
  source: AddedSource;
  addedBy: string;
  importId: string;
}
