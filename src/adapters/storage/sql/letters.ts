/** Letters, their text versions and organisers (LetterRepo). */
import type { Selectable } from 'kysely';
import type { LetterListFilter, LetterRepo, LetterStateRow } from '../../../core/ports.ts';
import type { Letter, LetterState, LetterVersion, LetterWithText } from '../../../core/model.ts';
import type { Db, Dialect } from './dialect.ts';
import type { LettersTable } from './schema.ts';
import { Prepared } from './prepared.ts';
import { letterRow, n, toLetter, u } from './rows.ts';

// The letter's state as signing reads it, compiled once (prepared.ts).
const LETTER_STATE = new Prepared<{ id: string }>((db, p) => db.selectFrom('letters').select(['state', 'text_version', 'updated_at']).where('id', '=', p.id));

export class SqlLetters implements LetterRepo {
  constructor(private readonly db: Db, private readonly dialect: Dialect) {}

  async insert(letter: Letter, versions: LetterVersion[]): Promise<void> {
    await this.db.insertInto('letters').values(letterRow(letter)).execute();
    await this.putVersions(letter.id, letter.textVersion, versions);
    if (letter.organisers.length) {
      await this.db
        .insertInto('letter_organisers')
        .values(letter.organisers.map((email) => ({ letter_id: letter.id, email })))
        .execute();
    }
  }

  async updateIfUnchanged(letter: Letter, read: Pick<Letter, 'state' | 'textVersion' | 'updatedAt'>): Promise<boolean> {
    const { id, ...rest } = letterRow(letter);
    const r = await this.db.updateTable('letters').set(rest).where('id', '=', id).where('state', '=', read.state)
      .where('text_version', '=', read.textVersion).where('updated_at', '=', read.updatedAt).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await this.putOrganisers(letter);
    return true;
  }

  private async putOrganisers(letter: Letter): Promise<void> {
    await this.db.deleteFrom('letter_organisers').where('letter_id', '=', letter.id).execute();
    if (letter.organisers.length) {
      await this.db
        .insertInto('letter_organisers')
        .values(letter.organisers.map((email) => ({ letter_id: letter.id, email })))
        .execute();
    }
  }

  async update(letter: Letter): Promise<void> {
    const { id, ...rest } = letterRow(letter);
    await this.db.updateTable('letters').set(rest).where('id', '=', id).execute();
    await this.db.deleteFrom('letter_organisers').where('letter_id', '=', id).execute();
    if (letter.organisers.length) {
      await this.db
        .insertInto('letter_organisers')
        .values(letter.organisers.map((email) => ({ letter_id: id, email })))
        .execute();
    }
  }

  async putVersions(letterId: string, textVersion: number, versions: LetterVersion[]): Promise<void> {
    await this.db
      .deleteFrom('letter_texts')
      .where('letter_id', '=', letterId)
      .where('text_version', '=', textVersion)
      .execute();
    if (!versions.length) return;
    await this.db
      .insertInto('letter_texts')
      .values(
        versions.map((v, i) => ({
          letter_id: letterId,
          text_version: textVersion,
          lang: v.lang,
          position: i,
          title: v.title,
          body: v.body,
          statement: n(v.statement),
          addressee_name: v.addressee?.name ?? null,
          addressee_title: v.addressee?.title ?? null,
        })),
      )
      .execute();
  }

  private async withText(row: Selectable<LettersTable> | undefined): Promise<LetterWithText | undefined> {
    if (!row) return undefined;
    const [texts, orgs] = await Promise.all([
      this.db
        .selectFrom('letter_texts')
        .selectAll()
        .where('letter_id', '=', row.id)
        .where('text_version', '=', row.text_version)
        .orderBy('position')
        .execute(),
      this.db.selectFrom('letter_organisers').select('email').where('letter_id', '=', row.id).orderBy('email').execute(),
    ]);
    return {
      ...toLetter(row, orgs.map((o) => o.email)),
      versions: texts.map((t) => ({
        lang: t.lang,
        title: t.title,
        body: t.body,
        statement: u(t.statement),
        addressee: t.addressee_name === null ? undefined : { name: t.addressee_name, title: u(t.addressee_title) },
      })),
    };
  }

  async bySlug(slug: string): Promise<LetterWithText | undefined> {
    return this.withText(await this.db.selectFrom('letters').selectAll().where('slug', '=', slug).executeTakeFirst());
  }

  async byId(id: string): Promise<LetterWithText | undefined> {
    return this.withText(await this.db.selectFrom('letters').selectAll().where('id', '=', id).executeTakeFirst());
  }

  async stateOf(id: string): Promise<LetterStateRow | undefined> {
    const r = (await LETTER_STATE.execute<Pick<LettersTable, 'state' | 'text_version' | 'updated_at'>>(this.db, this.dialect, { id })).rows[0];
    return r && { state: r.state as LetterState, textVersion: Number(r.text_version), updatedAt: r.updated_at };
  }

  async list(filter: LetterListFilter = {}): Promise<Letter[]> {
    let q = this.db.selectFrom('letters').selectAll('letters');
    if (filter.state) q = q.where('letters.state', '=', filter.state);
    if (filter.organiser) {
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('letter_organisers')
            .select('letter_organisers.email')
            .whereRef('letter_organisers.letter_id', '=', 'letters.id')
            .where('letter_organisers.email', '=', filter.organiser!),
        ),
      );
    }
    const rows = await q.orderBy('letters.created_at', 'desc').orderBy('letters.id').execute();
    if (!rows.length) return [];
    const orgs = await this.db
      .selectFrom('letter_organisers')
      .selectAll()
      .where('letter_id', 'in', rows.map((r) => r.id))
      .orderBy('email')
      .execute();
    return rows.map((r) => toLetter(r, orgs.filter((o) => o.letter_id === r.id).map((o) => o.email)));
  }
}
