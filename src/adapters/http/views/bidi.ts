/** Text of one direction inside a sentence of another: first-strong isolates (U+2068 … U+2069), for plain strings. */
export const bidiIsolate = (s: string): string => '\u2068' + s + '\u2069';
