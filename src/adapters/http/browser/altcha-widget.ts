/**
 * The sign form's proof-of-work widget in the browser: the altcha package's CSP-clean build (no inline styles or
 * workers: its stylesheet is /assets/altcha.css), the languages of our interface, and the SHA-256 worker served
 * from /assets (script-src 'self'). Bundled by browser-bundle.ts; the page loads it as a module.
 */
import 'altcha/external';
import 'altcha/i18n/fa';
import 'altcha/i18n/ar';
import 'altcha/i18n/fr-fr';
import 'altcha/i18n/de';
import 'altcha/i18n/es-es';
import 'altcha/i18n/tr';
import 'altcha/i18n/ru';

/** The browser's Worker (the project's types are Node's only). */
type BrowserWorker = object;
declare const Worker: new (url: string) => BrowserWorker;

declare global {
  // eslint-disable-next-line no-var
  var $altcha: { algorithms: Map<string, () => BrowserWorker>; i18n: { get(lang: string): Record<string, string> | undefined; set(lang: string, strings: Record<string, string>): void } };
}

// Our catalogue names French and Spanish by their language alone.
for (const [ours, theirs] of [['fr', 'fr-fr'], ['es', 'es-es']] as const) {
  const strings = globalThis.$altcha.i18n.get(theirs);
  if (strings) globalThis.$altcha.i18n.set(ours, strings);
}
globalThis.$altcha.algorithms.set('SHA-256', () => new Worker('/assets/altcha-sha.js'));
