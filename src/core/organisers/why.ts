/**
 * Why the names engine paired two signatures, for the organiser's review card: the words of one name that share a
 * consonant skeleton with a word of the other (in either script), and which names decided (same script, across
 * scripts, Latin). Shown so that an organiser judges the evidence, not a bare percentage.
 */
import { comparePeople, tokenize } from '../names/index.ts';
import { latinSkeletons, persianSkeleton } from '../names/blocking.ts';

export interface MatchReason {
  via: 'same-script' | 'cross-script' | 'latin' | 'none';
  /** Word pairs "a ↔ b" whose skeletons agree. */
  shared: Array<[string, string]>;
}

function skeletons(word: string, script: string): string[] {
  return script === 'arab' ? [persianSkeleton(word)] : script === 'latn' ? latinSkeletons(word) : [word.toLowerCase()];
}

export function matchReason(a: { name: string; nameAlt?: string | undefined }, b: { name: string; nameAlt?: string | undefined }): MatchReason {
  const { via } = comparePeople({ name: a.name, nameAlt: a.nameAlt }, { name: b.name, nameAlt: b.nameAlt });
  const words = (p: { name: string; nameAlt?: string | undefined }) =>
    [p.name, p.nameAlt].filter((n): n is string => !!n).flatMap((n) => tokenize(n).map((t) => ({ text: t.text, sk: skeletons(t.text, t.script) })));
  const wa = words(a);
  const wb = words(b);
  const shared: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const x of wa) {
    for (const y of wb) {
      if (!x.sk.some((s) => s && y.sk.includes(s))) continue;
      const key = `${x.text}\u0000${y.text}`;
      if (!seen.has(key)) {
        seen.add(key);
        shared.push([x.text, y.text]);
      }
    }
  }
  return { via, shared: shared.slice(0, 8) };
}
