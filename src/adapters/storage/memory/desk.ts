/** The organiser's desk in memory: the reference the contract suite (desk.case.ts) is written against. */
import type { DeskRepo } from '../../../core/ports.ts';
import type { Signature } from '../../../core/model.ts';
import type { ApiToken, ApprovalStatus, AuditEntry, InstanceAdmin, OrganiserApproval } from '../../../core/organisers/policy.ts';
import type { AddedSignature, AddedSource, SignatureImport } from '../../../core/organisers/signature-rows.ts';

export interface DeskState {
  moderators: Set<string>; // letterId + '\n' + email
  admins: Map<string, InstanceAdmin>;
  approvals: Map<string, OrganiserApproval>;
  tokens: Map<string, ApiToken>;
  audit: AuditEntry[];
  titleChecks: Map<string, string>; // signature id → letter id
  imports?: Map<string, SignatureImport>; // letterId + '\n' + rows hash
  sources?: Map<string, AddedSignature>; // signature id
  notable?: Set<string>; // letter ids
}

export function emptyDeskState(): DeskState {
  return { moderators: new Set(), admins: new Map(), approvals: new Map(), tokens: new Map(), audit: [], titleChecks: new Map() };
}

const clone = <T>(v: T): T => structuredClone(v);

export class MemDesk implements DeskRepo {
  constructor(private readonly st: () => { desk: DeskState; signatures: Map<string, Signature> }) {}
  private get d() {
    return this.st().desk;
  }
  async moderators(letterId: string) {
    return [...this.d.moderators].filter((k) => k.startsWith(letterId + '\n')).map((k) => k.slice(letterId.length + 1)).sort();
  }
  async setModerator(letterId: string, email: string, moderator: boolean) {
    if (moderator) this.d.moderators.add(`${letterId}\n${email}`);
    else this.d.moderators.delete(`${letterId}\n${email}`);
  }
  async addAdmin(a: InstanceAdmin) {
    if (this.d.admins.has(a.email)) return false;
    this.d.admins.set(a.email, clone(a));
    return true;
  }
  async removeAdmin(email: string) {
    return this.d.admins.delete(email);
  }
  async isAdmin(email: string) {
    return this.d.admins.has(email);
  }
  async admins() {
    return [...this.d.admins.values()].sort((a, b) => (a.email < b.email ? -1 : 1)).map(clone);
  }
  async approval(email: string) {
    const a = this.d.approvals.get(email);
    return a && clone(a);
  }
  async insertApproval(a: OrganiserApproval) {
    if (this.d.approvals.has(a.email)) return false;
    this.d.approvals.set(a.email, clone(a));
    return true;
  }
  async decideApproval(email: string, from: ApprovalStatus[], to: ApprovalStatus, at: string, by: string) {
    const a = this.d.approvals.get(email);
    if (!a || !from.includes(a.status)) return false;
    this.d.approvals.set(email, { ...a, status: to, decidedAt: at, decidedBy: by });
    return true;
  }
  async approvals(status?: ApprovalStatus) {
    return [...this.d.approvals.values()].filter((a) => !status || a.status === status).sort((a, b) => (a.email < b.email ? -1 : 1)).map(clone);
  }
  async insertToken(t: ApiToken) {
    this.d.tokens.set(t.id, clone(t));
  }
  async tokenByHash(tokenHash: string) {
    const t = [...this.d.tokens.values()].find((x) => x.tokenHash === tokenHash);
    return t && clone(t);
  }
  async revokeToken(id: string, at: string) {
    const t = this.d.tokens.get(id);
    if (!t || t.revokedAt) return false;
    this.d.tokens.set(id, { ...t, revokedAt: at });
    return true;
  }
  async tokens(email?: string) {
    return [...this.d.tokens.values()].filter((t) => !email || t.email === email).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1)).map(clone);
  }
  async addAudit(e: AuditEntry) {
    this.d.audit.push(clone(e));
  }
  async audit(letterId: string, limit: number) {
    return this.d.audit.filter((e) => e.letterId === letterId).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.id < b.id ? 1 : -1)).slice(0, limit).map(clone);
  }
  async letterSignatures(letterId: string) {
    return [...this.st().signatures.values()].filter((s) => s.letterId === letterId)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1)).map(clone);
  }
  async setTitleChecked(letterId: string, signatureId: string, checked: boolean) {
    const had = this.d.titleChecks.has(signatureId);
    if (checked) this.d.titleChecks.set(signatureId, letterId);
    else this.d.titleChecks.delete(signatureId);
    return had !== checked;
  }
  async checkedTitles(letterId: string) {
    return [...this.d.titleChecks].filter(([, l]) => l === letterId).map(([id]) => id).sort();
  }
  private get imports() {
    return (this.d.imports ??= new Map<string, SignatureImport>());
  }
  private get sources() {
    return (this.d.sources ??= new Map<string, AddedSignature>());
  }
  private get notable() {
    return (this.d.notable ??= new Set<string>());
  }
  async insertImport(imp: SignatureImport) {
    const k = `${imp.letterId}\n${imp.rowsHash}`;
    if (this.imports.has(k)) return false;
    this.imports.set(k, clone(imp));
    return true;
  }
  async importByHash(letterId: string, rowsHash: string) {
    const i = this.imports.get(`${letterId}\n${rowsHash}`);
    return i && clone(i);
  }
  async addSignatureSource(a: AddedSignature) {
    this.sources.set(a.signatureId, clone(a));
  }
  async signatureSources(letterId: string) {
    return new Map([...this.sources].filter(([, a]) => a.letterId === letterId).map(([k, a]) => [k, clone(a)]));
  }
  async sourceCounts(letterId: string) {
    const out: Record<AddedSource, number> = { paper: 0, imported: 0 };
    for (const s of this.st().signatures.values()) {
      if (s.letterId !== letterId || s.status !== 'confirmed' || !s.imported) continue;
      out[(this.sources.get(s.id) as AddedSignature | undefined)?.source ?? 'imported']++;
    }
    return out;
  }
  async showNotable(letterId: string) {
    return this.notable.has(letterId);
  }
  async setShowNotable(letterId: string, on: boolean) {
    if (this.notable.has(letterId) === on) return false;
    if (on) this.notable.add(letterId);
    else this.notable.delete(letterId);
    return true;
  }
}
