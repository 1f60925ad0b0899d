/** Import of an existing plain-text letter: pure parsing and analysis (no I/O). */
export { parseLetterText, findClaimedCount, isDateLine, nameFromLine } from './parse.ts';
export type { ParsedLetter, ParsedVersion, ParseOptions } from './parse.ts';
export { analyseImport } from './analyse.ts';
export type { AnalyseOptions, ImportAnalysis } from './analyse.ts';
export { toImportLetterInput } from './input.ts';
export { addresseeFromSalutation, titleFromBody } from './letter-parts.ts';
export type { ImportLetterInput, ImportLetterVersion, ImportedPerson } from './input.ts';
