/**
 * What the "import a letter" use-case (src/use-cases/import-letter.ts) needs to create a draft letter. The
 * CLI builds it from the parse and the analysis; the use-case stores it. Imported signatories were never confirmed by email,
 * so the use-case must mark them "imported, not verified".
 */
import type { ImportAnalysis } from './analyse.ts';
import type { ParsedLetter } from './parse.ts';
import { addresseeFromSalutation, titleFromBody } from './letter-parts.ts';

export interface ImportLetterVersion {
  lang: string;
  /** Null when the text has no heading for this language: the draft is incomplete until one is written. */
  title: string | null;
  /** Set when the title was not a heading of the text but taken from its body (the organiser should check it). */
  titleFromBody?: boolean | undefined;
  /** The addressee as named in this version's salutation, one clean line; null when none was found. */
  addressee?: string | null | undefined;
  /** Heading lines after the title, kept as part of the text. */
  subtitle?: string | null | undefined;
  salutation: string | null;
  body: string;
  date: string | null;
}

export interface ImportedPerson {
  /** The name as listed in the first language that lists this person. */
  name: string;
  lang: string;
  /** The same person's name in a second language's list, if paired. */
  nameAlt: string | null;
  altLang: string | null;
}

export interface ImportLetterInput {
  versions: ImportLetterVersion[];
  /** The count the text states, or null. */
  claimedCount: number | null;
  /** Each distinct person once, both names kept. */
  people: ImportedPerson[];
  /** Findings to show to the organiser with the draft. */
  warnings: string[];
}

export function toImportLetterInput(parsed: ParsedLetter, analysis: ImportAnalysis): ImportLetterInput {
  const seen = new Set<string>();
  const versions: ImportLetterVersion[] = [];
  for (const v of parsed.versions) {
    if (seen.has(v.lang)) continue; // a repeated language block keeps its first text
    seen.add(v.lang);
    const fromBody = v.title ? null : titleFromBody(v.body);
    versions.push({
      lang: v.lang, title: v.title ?? fromBody, titleFromBody: !v.title && !!fromBody, subtitle: v.subtitle,
      addressee: addresseeFromSalutation(v.salutation), salutation: v.salutation, body: v.body, date: v.date,
    });
  }
  const warnings = [...analysis.warnings];
  for (const v of versions) {
    if (v.titleFromBody) warnings.push(`The '${v.lang}' version has no heading; its title was taken from its text: "${v.title}". Check it before publishing.`);
    if (!v.title) warnings.push(`The '${v.lang}' version has no title; write one before publishing.`);
  }
  if (!versions[0]?.addressee) warnings.push('No addressee was found in the salutation; fill it in before publishing.');
  const people: ImportedPerson[] = analysis.people.map((row) => {
    const present = row.map((name, k) => ({ name, lang: analysis.languages[k]! })).filter((x) => x.name !== null);
    const first = present[0]!;
    const second = present[1];
    return { name: first.name!, lang: first.lang, nameAlt: second?.name ?? null, altLang: second?.lang ?? null };
  });
  return { versions, claimedCount: analysis.claimedCount, people, warnings };
}
