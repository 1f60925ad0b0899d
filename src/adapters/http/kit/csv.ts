/**
 * CSV for spreadsheets: UTF-8 with a byte-order mark (so that spreadsheet programs read Persian as Persian), CRLF
 * lines, every cell quoted when needed, and cells that a spreadsheet would run as a formula (= + - @) prefixed with
 * an apostrophe (threat: a signer's name as a formula in an organiser's spreadsheet).
 */
const BOM = '\uFEFF';

function cell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return BOM + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
