import type { ReviewRepo } from '../../../core/ports.ts';
import type { DuplicateReview, ReviewStatus, Signature } from '../../../core/model.ts';

export interface ReviewState {
  nameKeys: Map<string, { letterId: string; keys: string[]; version?: number }>; // by signature id
  reviews: Map<string, DuplicateReview>;
  signatures: Map<string, Signature>;
}

const clone = <T>(v: T): T => structuredClone(v);

export class MemReviews implements ReviewRepo {
  constructor(private readonly st: () => ReviewState) {}
  async putKeys(letterId: string, signatureId: string, keys: string[], version = 1) {
    this.st().nameKeys.set(signatureId, { letterId, keys: [...new Set(keys)].filter(Boolean), version });
  }
  async staleKeys(version: number, limit: number) {
    return [...this.st().nameKeys]
      .filter(([, v]) => (v.version ?? 1) >= 0 && (v.version ?? 1) < version && v.keys.length > 0)
      .map(([signatureId, v]) => ({ letterId: v.letterId, signatureId }))
      .sort((a, b) => (a.signatureId < b.signatureId ? -1 : 1))
      .slice(0, limit);
  }
  async candidates(letterId: string, keys: string[], excludeId: string, limit: number) {
    const want = new Set(keys);
    const s = this.st();
    const ids = [...s.nameKeys].filter(([id, v]) => id !== excludeId && v.letterId === letterId && v.keys.some((k) => want.has(k))).map(([id]) => id);
    return ids
      .map((id) => s.signatures.get(id))
      .filter((x): x is Signature => !!x && x.status === 'confirmed')
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map((x) => ({ id: x.id, name: x.name, nameAlt: x.nameAlt }));
  }
  async unscored(limit: number) {
    return [...this.st().nameKeys]
      .filter(([, v]) => (v.version ?? 1) < 0 && v.keys.length > 0)
      .map(([signatureId, v]) => ({ letterId: v.letterId, signatureId }))
      .sort((a, b) => (a.signatureId < b.signatureId ? -1 : 1))
      .slice(0, limit);
  }
  async unscoredAmong(signatureIds: string[]) {
    const k = this.st().nameKeys;
    return new Set(signatureIds.filter((id) => (k.get(id)?.version ?? 1) < 0 && k.get(id)!.keys.length > 0));
  }
  async markScored(signatureId: string) {
    const v = this.st().nameKeys.get(signatureId);
    if (!v || (v.version ?? 1) >= 0 || !v.keys.length) return false;
    v.version = -(v.version ?? 1);
    return true;
  }
  async lockScoring(_letterId: string) {}
  async markScoredAll(signatureIds: string[]) {
    const out = new Set<string>();
    for (const id of signatureIds) if (await this.markScored(id)) out.add(id);
    return out;
  }
  async pairedWith(letterId: string, signatureId: string) {
    const out = new Set<string>();
    for (const r of this.st().reviews.values()) {
      if (r.letterId !== letterId) continue;
      if (r.signatureId === signatureId) out.add(r.otherId);
      else if (r.otherId === signatureId) out.add(r.signatureId);
    }
    return out;
  }
  async candidatesOfMany(letterId: string, items: { id: string; keys: string[] }[], limit: number) {
    const out = new Map<string, Awaited<ReturnType<MemReviews['candidates']>>>();
    for (const i of items) out.set(i.id, await this.candidates(letterId, i.keys, i.id, limit));
    return out;
  }
  async insert(r: DuplicateReview) {
    const s = this.st();
    for (const x of s.reviews.values()) if (x.letterId === r.letterId && x.signatureId === r.signatureId && x.otherId === r.otherId) return;
    s.reviews.set(r.id, clone(r));
  }
  async update(r: DuplicateReview) {
    this.st().reviews.set(r.id, clone(r));
  }
  async byId(id: string) {
    const r = this.st().reviews.get(id);
    return r && clone(r);
  }
  async list(letterId: string, status?: ReviewStatus) {
    return [...this.st().reviews.values()]
      .filter((r) => r.letterId === letterId && (!status || r.status === status))
      .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1))
      .map(clone);
  }
}
