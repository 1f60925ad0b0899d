/** A letter's replies as the public may see them, for the API letter and the letter page (read at most every 2 s). */
import type { LetterReply } from '../../../core/model.ts';
import type { Services } from '../../../use-cases/services.ts';

/** A reply as the public sees it (the API's `replies`): no organiser's address. */
export interface PublicReply {
  id: string;
  receivedOn: string;
  texts: { lang: string; body: string }[];
  textSha256: string;
  pdfSha256: string | null;
  pdfUrl: string | null;
  createdAt: string;
}

export function publicReply(slug: string, r: LetterReply): PublicReply {
  return {
    id: r.id, receivedOn: r.receivedOn, texts: r.texts, textSha256: r.textSha256, pdfSha256: r.pdfSha256 ?? null,
    pdfUrl: r.pdfSha256 ? `/letters/${encodeURIComponent(slug)}/replies/${encodeURIComponent(r.id)}.pdf` : null, createdAt: r.createdAt,
  };
}

/** The letter's replies, newest first, read at most every 2 s per letter (the API letter is a hot read). */
export function latestReplies(s: Services): (letterId: string, slug: string) => Promise<PublicReply[]> {
  const kept = new Map<string, { at: number; p: Promise<PublicReply[]> }>();
  return (letterId, slug) => {
    const hit = kept.get(letterId);
    const now = performance.now();
    if (hit && now - hit.at < 2000) return hit.p;
    const p = s.deps.store.updates.replies(letterId).then((rs) => rs.map((r) => publicReply(slug, r)));
    if (kept.size >= 1000) kept.clear();
    kept.set(letterId, { at: now, p });
    return p;
  };
}
