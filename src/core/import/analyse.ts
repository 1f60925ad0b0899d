/**
 * Checks an imported letter's signatory lists: duplicates within each language, pairs across languages
 * (one person, two scripts), names without a counterpart, and the claimed count against the distinct people.
 * This is the check that makes an import trustworthy: the seed letter claims 48 people and lists 48 lines
 * per language, but only 46 distinct people.
 */
import { pairLists, clusterPeople, type Progress } from '../names/pair.ts';
import type { ParsedLetter } from './parse.ts';

export interface ImportAnalysis {
  languages: string[];
  claimedCount: number | null;
  /** Lines listed per language. */
  listed: Record<string, number>;
  /** Distinct people across all lists. */
  distinct: number;
  /** Per language: groups of lines judged one person (exact repeats included). */
  duplicates: Record<string, string[][]>;
  /** One tuple per person found in two or more lists, names in `languages` order (null where absent). */
  pairs: Array<Array<string | null>>;
  /** Per language: names with no counterpart in any other list. */
  unpaired: Record<string, string[]>;
  /** Pairs a human should confirm: names in `languages` order and the score. */
  lowConfidence: Array<{ names: Array<string | null>; score: number }>;
  warnings: string[];
  /** Every distinct person: their name in each language (null where absent). Used to create the draft. */
  people: Array<Array<string | null>>;
}

export interface AnalyseOptions {
  onProgress?: Progress;
}

/** Analyses the signatory lists of a parsed letter. Versions without a list are ignored. */
export function analyseImport(parsed: ParsedLetter, opts: AnalyseOptions = {}): ImportAnalysis {
  const versions = parsed.versions.filter((v) => v.signatories.length > 0);
  const languages: string[] = [];
  const lists: string[][] = [];
  // one list per language: a repeated language's lists are concatenated
  for (const v of versions) {
    const at = languages.indexOf(v.lang);
    if (at >= 0) lists[at]!.push(...v.signatories);
    else {
      languages.push(v.lang);
      lists.push([...v.signatories]);
    }
  }
  const warnings = [...parsed.warnings];
  const listed: Record<string, number> = {};
  const duplicates: Record<string, string[][]> = {};
  const unpaired: Record<string, string[]> = {};
  languages.forEach((l, i) => {
    listed[l] = lists[i]!.length;
    unpaired[l] = [];
  });
  const lowConfidence: ImportAnalysis['lowConfidence'] = [];
  const n = languages.length;
  // people: for each person, the row index in each list (first row of its duplicate group) or -1
  let people: number[][] = [];

  if (n === 0) {
    warnings.push('No signatory list was found.');
  } else {
    const clusters0 = clusterPeople(lists[0]!.map((name) => ({ name })), { onProgress: opts.onProgress });
    duplicates[languages[0]!] = clusters0.filter((c) => c.length > 1).map((c) => c.map((i) => lists[0]![i]!));
    people = clusters0.map((c) => [c[0]!, ...new Array<number>(n - 1).fill(-1)]);
    // each further list is paired with the first one; its unpaired people are added as new people
    for (let k = 1; k < n; k++) {
      const res = pairLists(lists[0]!, lists[k]!, { onProgress: opts.onProgress });
      duplicates[languages[k]!] = res.duplicatesB.map((c) => c.map((i) => lists[k]![i]!));
      const byA = new Map(res.pairs.map((p) => [p.a, p]));
      for (const person of people) {
        const p = byA.get(person[0]!);
        if (p) person[k] = p.b;
      }
      for (const p of res.pairs) {
        if (!p.lowConfidence) continue;
        const names: Array<string | null> = languages.map(() => null);
        names[0] = lists[0]![p.a]!;
        names[k] = lists[k]![p.b]!;
        lowConfidence.push({ names, score: Math.round(p.score * 1000) / 1000 });
      }
      for (const b of res.unpairedB) {
        const row = new Array<number>(n).fill(-1);
        row[k] = b;
        people.push(row);
      }
    }
  }

  const nameAt = (row: number[], k: number) => (row[k]! >= 0 ? lists[k]![row[k]!]! : null);
  const pairs: Array<Array<string | null>> = [];
  for (const row of people) {
    const present = row.filter((x) => x >= 0).length;
    if (present >= 2) pairs.push(languages.map((_, k) => nameAt(row, k)));
    else if (n > 1) {
      const k = row.findIndex((x) => x >= 0);
      unpaired[languages[k]!]!.push(nameAt(row, k)!);
    }
  }
  const distinct = people.length;

  if (parsed.claimedCount !== null && parsed.claimedCount !== distinct) {
    const dupLines = languages.map((l) => `${l}: ${listed[l]} lines`).join(', ');
    warnings.push(
      `The letter claims ${parsed.claimedCount} signatories but lists ${distinct} distinct people (${dupLines}).`,
    );
  }
  for (const l of languages) {
    const d = duplicates[l] ?? [];
    if (d.length) {
      warnings.push(`${d.length} duplicate group(s) in '${l}': ${d.map((g) => g[0]).join('; ')}.`);
    }
    if (unpaired[l]!.length) warnings.push(`${unpaired[l]!.length} name(s) in '${l}' have no counterpart: ${unpaired[l]!.join('; ')}.`);
  }
  if (lowConfidence.length) warnings.push(`${lowConfidence.length} pair(s) should be checked by a person.`);
  const listedCounts = new Set(Object.values(listed));
  if (listedCounts.size > 1) warnings.push(`The languages list different numbers of lines: ${languages.map((l) => `${l} ${listed[l]}`).join(', ')}.`);

  return {
    languages,
    claimedCount: parsed.claimedCount,
    listed,
    distinct,
    duplicates,
    pairs,
    unpaired,
    lowConfidence,
    warnings,
    people: people.map((row) => languages.map((_, k) => nameAt(row, k))),
  };
}
