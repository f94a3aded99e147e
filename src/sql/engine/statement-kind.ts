// Classifies a statement before DuckDB sees it: a query, CREATE TABLE [IF NOT EXISTS] t AS
// <query>, INSERT INTO t [(cols)] <query|VALUES>, or DROP TABLE [IF EXISTS] t. The three writes
// are quiver commits, so DuckDB only ever runs their inner query; everything else is refused
// here, naming what is supported, so nothing is accepted and then silently not run.
import { invalidArgument } from '../../errors.ts';
import { identifierName, isKeyword, isPunct, tokenize, type Token } from './sql-tokens.ts';
import { quiverTableOf } from './sql-names.ts';
import type { StatementKind } from './sql-engine.ts';

export const SUPPORTED_STATEMENTS =
  'quiver SQL runs one statement at a time: a query (SELECT, WITH, VALUES, FROM, TABLE), ' +
  'CREATE TABLE [IF NOT EXISTS] t AS <query>, INSERT INTO t [(columns)] <query or VALUES>, or DROP TABLE [IF EXISTS] t';

export interface ClassifiedStatement {
  statement: StatementKind;
  /** The query DuckDB runs (the whole statement, or the part after AS / the column list); null for DROP. */
  query: string | null;
}

const QUERY_START = new Set(['SELECT', 'WITH', 'VALUES', 'FROM', 'TABLE']);

const startsQuery = (t: Token | undefined) => t !== undefined && ((t.kind === 'word' && QUERY_START.has(t.value)) || isPunct(t, '('));

export function classifyStatement(sql: string): ClassifiedStatement {
  const all = tokenize(sql);
  let end = all.length;
  while (end > 0 && isPunct(all[end - 1], ';')) end--;
  const tokens = all.slice(0, end);
  if (tokens.length === 0) throw invalidArgument(`the SQL text is empty; ${SUPPORTED_STATEMENTS}`);
  if (tokens.some((t) => isPunct(t, ';'))) throw invalidArgument(`the SQL text holds more than one statement; ${SUPPORTED_STATEMENTS}`);
  const text = sql.slice(0, tokens[tokens.length - 1]!.end);
  const first = tokens[0]!;

  if (startsQuery(first)) return { statement: { kind: 'query' }, query: text };

  let at = 1;
  const expect = (kw: string, what: string) => {
    if (!isKeyword(tokens[at], kw)) throw invalidArgument(`${what}; ${SUPPORTED_STATEMENTS}`);
    at++;
  };
  const optional = (...kws: string[]) => {
    if (kws.every((kw, k) => isKeyword(tokens[at + k], kw))) {
      at += kws.length;
      return true;
    }
    return false;
  };
  const tableName = (): string => {
    const parts: string[] = [];
    for (;;) {
      const name = identifierName(tokens[at]);
      if (name === null) throw invalidArgument(`expected a table name at "${tokens[at]?.text ?? 'end of statement'}"; ${SUPPORTED_STATEMENTS}`);
      parts.push(name);
      at++;
      if (!isPunct(tokens[at], '.')) break;
      at++;
    }
    if (parts.length > 3) throw invalidArgument(`${parts.join('.')} has too many name parts: write catalog.schema.table at most`);
    const [catalog, schema, table] = parts.length === 3 ? parts : parts.length === 2 ? ['', ...parts] : ['', '', ...parts];
    return quiverTableOf(catalog!, schema!, table!);
  };
  const rest = (what: string): string => {
    if (!startsQuery(tokens[at])) throw invalidArgument(`${what} must be followed by a query (SELECT, WITH, VALUES, FROM or TABLE); ${SUPPORTED_STATEMENTS}`);
    return text.slice(tokens[at]!.start);
  };

  if (isKeyword(first, 'CREATE')) {
    expect('TABLE', `CREATE ${tokens[1]?.text ?? ''} is not supported: only CREATE TABLE ... AS <query> is`);
    const ifNotExists = optional('IF', 'NOT', 'EXISTS');
    const table = tableName();
    if (isPunct(tokens[at], '(')) {
      throw invalidArgument('CREATE TABLE with a column list is not supported: write CREATE TABLE t AS <query>, or ingest the data (DoPut / adbc_ingest)');
    }
    expect('AS', 'CREATE TABLE needs AS <query>');
    return { statement: { kind: 'create-table-as', table, ifNotExists }, query: rest('CREATE TABLE ... AS') };
  }
  if (isKeyword(first, 'INSERT')) {
    expect('INTO', 'only INSERT INTO t [(columns)] <query or VALUES> is supported (no INSERT OR REPLACE / OR IGNORE)');
    const table = tableName();
    let columns: string[] | null = null;
    if (isPunct(tokens[at], '(') && !startsQuery(tokens[at + 1])) {
      columns = [];
      at++;
      for (;;) {
        const name = identifierName(tokens[at]);
        if (name === null) throw invalidArgument(`expected a column name in INSERT INTO ${table} (...) at "${tokens[at]?.text ?? 'end'}"`);
        columns.push(name);
        at++;
        if (isPunct(tokens[at], ',')) at++;
        else if (isPunct(tokens[at], ')')) (at++, undefined);
        else throw invalidArgument(`expected , or ) in the column list of INSERT INTO ${table}`);
        if (isPunct(tokens[at - 1], ')')) break;
      }
    }
    return { statement: { kind: 'insert', table, columns }, query: rest(`INSERT INTO ${table}`) };
  }
  if (isKeyword(first, 'DROP')) {
    expect('TABLE', `DROP ${tokens[1]?.text ?? ''} is not supported: only DROP TABLE is`);
    const ifExists = optional('IF', 'EXISTS');
    const table = tableName();
    if (at < tokens.length) throw invalidArgument(`unexpected "${tokens[at]!.text}" after DROP TABLE ${table} (CASCADE and lists of tables are not supported)`);
    return { statement: { kind: 'drop-table', table, ifExists }, query: null };
  }
  throw invalidArgument(`${first.text.toUpperCase()} statements are not supported; ${SUPPORTED_STATEMENTS}`);
}
