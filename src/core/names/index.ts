/** The names engine: pure (no I/O, clock or randomness). See docs/names.md. */
export { normaliseText, nameKey, nameKeys, tokenize, scriptOf, asciiDigits } from './normalise.ts';
export type { NameToken, Script, ZwnjMode } from './normalise.ts';
export {
  LIKELY_DUPLICATE,
  REVIEW,
  bandOf,
  compareNames,
  comparePeople,
  comparePreparedPeople,
  prepareName,
  preparePerson,
  scorePrepared,
  tokenSimilarity,
} from './match.ts';
export type { Band, NameComparison, PeopleComparison, Person, PreparedName, PreparedPerson, Token } from './match.ts';
export { blockingKeys, KEY_VERSION, latinSkeleton, persianSkeleton } from './blocking.ts';
export { clusterPeople, pairLists } from './pair.ts';
export type { ClusterOptions, ListPair, PairOptions, PairResult, Progress } from './pair.ts';
export { hungarian, maxGainMatching } from './assign.ts';
export { sortNames, nameComparator, checkCollation } from './sort.ts';
export type { CollationCheck } from './sort.ts';
export { useTransliterator } from './translit.ts';
