/**
 * A letter's drawn documents, from the public reads: the PDF of one language version or of all of them (print.ts),
 * each kept per data version (cache/documents.ts) and drawn by the document renderer. Used by the PDF routes, and by
 * delivery, which mails the same bytes.
 */
import { versionFor } from '../../core/letters/letter.ts';
import { DomainError } from '../../core/errors.ts';
import type { LetterWithText } from '../../core/model.ts';
import type { DocumentRenderer } from '../../core/ports.ts';
import { toBase64 } from '../../core/log/index.ts';
import type { Services } from '../../use-cases/services.ts';
import { translator } from '../i18n/index.ts';
import { fingerprint } from './cache/letter-pages.ts';
import { DrawnDocuments, type Drawn } from './cache/documents.ts';
import { printDocument } from './views/print.ts';
import { CARD, cardDocument } from './views/card.ts';

/** A letter's PDF and the log checkpoint it shows. */
export interface LetterPdf extends Drawn {
  meta: { treeSize: number; rootHash: string | null };
}

export class LetterDocuments {
  private readonly pdfs = new DrawnDocuments(96 * 1024 * 1024);
  private readonly cards = new DrawnDocuments(32 * 1024 * 1024);

  constructor(private readonly s: Services, private readonly renderer: DocumentRenderer) {}

  /** The PDF of the letter in `lang`, or of every version in the letter's order (`lang` undefined). */
  async pdf(letter: LetterWithText, lang?: string): Promise<LetterPdf> {
    const versions = lang === undefined ? letter.versions : [versionFor(letter, lang)].filter((v) => v !== undefined);
    if (!versions.length) throw new DomainError('LANGUAGE_NOT_AVAILABLE', `The letter has no version in ${lang}`);
    const listLang = versions[0]!.lang;
    const [count, split, list, state] = await Promise.all([
      this.s.reads.count(letter.id),
      this.s.reads.countSplit(letter.id),
      this.s.reads.sorted(letter.id, listLang),
      this.s.deps.store.log.state(),
    ]);
    const madeAt = this.s.deps.clock.now().toISOString();
    // Equal inputs, equal document: the letter, the count, the list, the checkpoint and the day printed on it.
    const inputs = `${fingerprint(letter)}.${count}.${fingerprint(split)}.${list.version}.${state?.size ?? '-'}.${madeAt.slice(0, 10)}`;
    const checkpoint = state ? { origin: this.s.log.origin, size: state.size, rootHash: toBase64(state.root) } : undefined;
    return (await this.pdfs.get(`${letter.id}\u0000${lang ?? '*'}`, inputs, async () => ({
      bytes: await this.renderer.pdf({
        html: printDocument({
          letter,
          sections: versions.map((v) => ({ t: translator(v.lang), version: v })),
          count,
          split,
          items: list.items,
          checkpoint,
          madeAt,
          baseUrl: this.s.deps.baseUrl,
        }),
      }),
      meta: { treeSize: state?.size ?? 0, rootHash: checkpoint?.rootHash ?? null },
    }))) as LetterPdf;
  }

  /** The share card (1200×630 PNG) of the letter in `lang`: title, count, addressee. */
  async card(letter: LetterWithText, lang: string): Promise<Drawn> {
    const version = versionFor(letter, lang);
    if (!version) throw new DomainError('LANGUAGE_NOT_AVAILABLE', `The letter has no version in ${lang}`);
    const count = await this.s.reads.count(letter.id);
    const split = await this.s.reads.countSplit(letter.id);
    return this.cards.get(`${letter.id}\u0000${lang}`, `${fingerprint(letter)}.${count}.${fingerprint(split)}`, async () => ({
      bytes: await this.renderer.png({ html: cardDocument(translator(lang), letter, version, count, split), ...CARD }),
    }));
  }
}
