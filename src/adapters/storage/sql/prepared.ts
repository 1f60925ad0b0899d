/**
 * The hottest statements (signing and confirming) built and compiled by Kysely once per dialect, not on every call
 * (building the operation tree, freezing it and compiling it cost about as much as running a small SQLite
 * statement). Each statement is built from named parameters: it is compiled once with a marker in place of every
 * value, the markers give the order of the parameters, and each call sends the same SQL text with its own values in
 * that order. The database prepares that text once per connection: SQLite reuses its prepared statement
 * (sqlite/index.ts), PostgreSQL a named statement (`preparedOnServer`, postgres/index.ts), so that neither parses and
 * plans it again on every call.
 */
import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Db, Dialect } from './dialect.ts';

const MARK = '\u0000undersigned-param:';

/**
 * SQL texts that PostgreSQL connections prepare once as named statements (postgres/index.ts looks each statement's
 * text up here): parse, analysis and planning are then done once per connection, not on every call, and after
 * five executions PostgreSQL keeps a generic plan when it costs no more than the custom ones. Only fixed texts whose
 * values are all parameters belong here (a text built per call would fill every connection with statements).
 */
const onServer = new Map<string, string>();

/** Marks `sql` to be prepared once per PostgreSQL connection; returns it. */
export function prepareOnServer(sql: string): string {
  if (!onServer.has(sql)) onServer.set(sql, `undersigned_${onServer.size + 1}`);
  return sql;
}

/** The statement name under which PostgreSQL connections prepare `sql`, if it is one of the marked texts. */
export function preparedOnServer(sql: string): string | undefined {
  return onServer.get(sql);
}

export class Prepared<P extends object> {
  private readonly compiled = new Map<Dialect, { query: CompiledQuery; order: (keyof P)[] }>();

  /**
   * `build` must use every value of `p` only as a parameter (no value may change the shape of the statement). A
   * select names its columns (never `selectAll()`): PostgreSQL refuses to run a named `select *` again once another
   * process added a column to its table (0A000, postgres/index.ts).
   */
  constructor(private readonly build: (db: Db, p: P) => Compilable<unknown>) {}

  private compile(db: Db, dialect: Dialect, sample: P): { query: CompiledQuery; order: (keyof P)[] } {
    const marks = Object.fromEntries(Object.keys(sample).map((k) => [k, `${MARK}${k}\u0000`])) as unknown as P;
    const query = this.build(db, marks).compile();
    const order = query.parameters.map((v) => {
      if (typeof v !== 'string' || !v.startsWith(MARK)) throw new Error(`prepared statement: a parameter is not one of the named values (${query.sql})`);
      return v.slice(MARK.length, -1) as keyof P;
    });
    if (dialect === 'postgres') prepareOnServer(query.sql);
    const c = { query, order };
    this.compiled.set(dialect, c);
    return c;
  }

  async execute<R = unknown>(db: Db, dialect: Dialect, p: P): Promise<QueryResult<R>> {
    const c = this.compiled.get(dialect) ?? this.compile(db, dialect, p);
    const parameters = c.order.map((k) => {
      const v = p[k];
      if (v === undefined) throw new Error(`prepared statement: no value for ${String(k)}`);
      return v;
    });
    return db.executeQuery<R>({ ...c.query, parameters } as CompiledQuery<R>);
  }
}
