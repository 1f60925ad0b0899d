/** How the CLI names the fields a refusal lists: one line each, "field: CODE (limit N)", with what was meant. */
import type { DomainError } from '../../../core/errors.ts';

const MEANING: Record<string, string> = {
  'addressee.name': "the addressee's name",
  slug: 'the letter\'s address (--slug)',
  organisers: 'the organisers (--organiser)',
};

function meaning(field: string): string {
  if (MEANING[field]) return ` — ${MEANING[field]}`;
  if (/^organisers\.\d+$/.test(field)) return ' — an organiser\'s address (--organiser)';
  const m = /^versions\.(\d+)\.(\w+)/.exec(field);
  return m ? ` — the ${m[2]} of language version ${Number(m[1]) + 1}` : '';
}

export function describeFields(e: DomainError): string {
  if (!e.fields.length) return '';
  return '\n' + e.fields.map((f) => `  ${f.field}: ${f.code}${f.limit ? ` (limit ${f.limit})` : ''}${meaning(f.field)}`).join('\n');
}
