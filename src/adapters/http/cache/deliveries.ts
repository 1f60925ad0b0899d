/** A letter's latest delivery as the public may see it, for the API letter and the letter page. */
import type { Services } from '../../../use-cases/services.ts';

/**
 * The latest delivery of a letter as the public may see it (names and states; never an email, a server's reason or a
 * bounce message). deliveredAt only while it stands as sent: a bounced delivery was sent but did not arrive.
 */
export interface PublicDelivery {
  targets: { name: string; title: string | null; status: string; deliveredAt: string | null }[];
  pdfSha256: string;
  treeSize: number;
  createdAt: string;
}

/** The letter's latest delivery, read at most every 2 s per letter (the API letter is a hot read). */
export function latestDeliveries(s: Services): (letterId: string) => Promise<PublicDelivery | null> {
  const kept = new Map<string, { at: number; p: Promise<PublicDelivery | null> }>();
  return (letterId) => {
    const hit = kept.get(letterId);
    const now = performance.now();
    if (hit && now - hit.at < 2000) return hit.p;
    const p = (async () => {
      const store = s.deps.store;
      const all = await store.deliveries.byLetter(letterId);
      if (!all.length) return null;
      const run = all[0]!.run;
      const targets = new Map((await store.deliveries.targets(letterId)).map((t) => [t.id, t]));
      const last = all.filter((d) => d.run === run);
      return {
        targets: last.map((d) => ({ name: targets.get(d.targetId)?.name ?? '', title: targets.get(d.targetId)?.title ?? null, status: d.status, deliveredAt: d.status === 'sent' ? d.sentAt ?? null : null })),
        pdfSha256: last[0]!.pdfSha256,
        treeSize: last[0]!.treeSize,
        createdAt: last[0]!.createdAt,
      };
    })();
    if (kept.size >= 1000) kept.clear();
    kept.set(letterId, { at: now, p });
    return p;
  };
}
