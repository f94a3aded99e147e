// Types the parameters of INSERT INTO t [(cols)] VALUES (?, ?), ... from the target table: DuckDB
// plans only the VALUES part, where a bare parameter has no type, and a Null-typed parameter in
// CreatePreparedStatement's parameter_schema lets the JDBC driver bind nothing but NULL. A bare
// parameter standing for a whole value of a row is given the column's type, as DuckDB reports a
// value of the column's SQL type; wherever DuckDB inferred a type itself, that type is kept.
import type { DuckDBConnection } from '@duckdb/node-api';
import { Field, Type } from 'apache-arrow';
import { DictionaryIds, arrowTypeOf } from './result-types.ts';
import { duckTypeSql } from './stored-types.ts';
import { isKeyword, isPunct, quoteIdentifier, tokenize, type Token } from './sql-tokens.ts';
import type { StatementKind, TableResolver } from './sql-engine.ts';

/** Replaces the Null-typed fields of `params` (named `$name`, DuckDB's names) that stand for an INSERT column. */
export async function typeInsertParameters(
  con: DuckDBConnection, statement: StatementKind, query: string, params: Field[], resolver: TableResolver,
): Promise<void> {
  if (statement.kind !== 'insert' || !params.some((p) => p.type.typeId === Type.Null)) return;
  const positions = valuesParameterColumns(query);
  if (positions.size === 0) return;
  let schema;
  try {
    schema = (await resolver.resolve(statement.table)).schema;
  } catch {
    return; // an unknown table: the INSERT itself says so when it runs
  }
  const columns = statement.columns ?? schema.fields.map((f) => f.name);
  const fieldOf = (name: string) =>
    schema.fields.find((f) => f.name === name) ?? schema.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
  const wanted: { index: number; field: Field }[] = [];
  params.forEach((p, index) => {
    if (p.type.typeId !== Type.Null) return;
    const column = positions.get(p.name.replace(/^\$/, ''));
    const field = column === undefined ? undefined : fieldOf(columns[column] ?? '');
    if (field) wanted.push({ index, field });
  });
  if (wanted.length === 0) return;
  // DuckDB says which Arrow type a value of each column's SQL type has, as a result column would.
  const probe = await con.prepare(`SELECT ${wanted.map((w, k) => `CAST(NULL AS ${duckTypeSql(w.field.type)}) AS ${quoteIdentifier(`p${k}`)}`).join(', ')}`);
  try {
    const ids = new DictionaryIds();
    wanted.forEach((w, k) => {
      try {
        params[w.index] = new Field(params[w.index]!.name, arrowTypeOf(probe.columnType(k), w.field.name, ids), true);
      } catch {
        // A type with no Arrow parameter form stays a wildcard.
      }
    });
  } finally {
    probe.destroySync();
  }
}

/**
 * For `VALUES (e1, e2, ...), ...`: which column position each bare parameter (`?`, `$n`, `$name`)
 * fills, by DuckDB's parameter name (`?`s are numbered 1, 2, ... in text order, as DuckDB does).
 * Empty for any other query shape.
 */
export function valuesParameterColumns(query: string): Map<string, number> {
  const out = new Map<string, number>();
  let tokens: Token[];
  try {
    tokens = tokenize(query);
  } catch {
    return out;
  }
  if (!isKeyword(tokens[0], 'VALUES')) return out;
  let questionMarks = 0;
  const nameAt = (k: number, end: number): string | null => {
    if (end - k === 1 && isPunct(tokens[k], '?')) return String(++questionMarks);
    if (end - k === 2 && isPunct(tokens[k], '$') && (tokens[k + 1]!.kind === 'number' || tokens[k + 1]!.kind === 'word')) return tokens[k + 1]!.text;
    return null;
  };
  let at = 1;
  while (at < tokens.length) {
    if (!isPunct(tokens[at], '(')) return out;
    let column = 0;
    let start = at + 1;
    let depth = 0;
    for (at = start; at < tokens.length; at++) {
      const t = tokens[at]!;
      if (isPunct(t, '(')) depth++;
      else if (isPunct(t, ')') && depth > 0) depth--;
      else if (depth === 0 && (isPunct(t, ',') || isPunct(t, ')'))) {
        const name = nameAt(start, at);
        if (name !== null) out.set(name, column);
        else for (let k = start; k < at; k++) if (isPunct(tokens[k], '?')) questionMarks++;
        column++;
        start = at + 1;
        if (isPunct(t, ')')) break;
      }
    }
    at++;
    if (isPunct(tokens[at], ',')) at++;
    else if (at < tokens.length) return out;
  }
  return out;
}
