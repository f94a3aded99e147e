// What a query reads, from DuckDB's own parse tree (json_serialize_sql): the base tables it
// names (with their AT clause, our time-travel syntax), the CTE names that shadow tables, and
// every function it calls. Using DuckDB's parser means no SQL construct can hide a table or a
// function from us the way a hand-written scan could miss one.
import type { DuckDBConnection } from '@duckdb/node-api';
import { invalidArgument } from '../../errors.ts';

/** How every refusal of SQL that does not parse begins. */
export const SYNTAX_ERROR = 'syntax error (the SQL does not parse)';

export interface BaseTableRef {
  catalog: string;
  schema: string;
  table: string;
  alias: string;
  /** `AT (VERSION => n)`; undefined when the reference has no AT clause. */
  version: number | undefined;
  hasAtClause: boolean;
  /** Byte offset of the reference in the query text, as DuckDB reports it. */
  location: number;
}

export interface QueryTree {
  tables: BaseTableRef[];
  cteNames: Set<string>;
  functions: string[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Parses `sql` with DuckDB (nothing runs); INVALID_ARGUMENT with DuckDB's message when it does not parse. */
export async function parseQueryTree(con: DuckDBConnection, sql: string): Promise<QueryTree> {
  const reader = await con.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
  const text = reader.getRows()[0]?.[0];
  if (typeof text !== 'string') throw new Error('json_serialize_sql returned no text');
  const tree = JSON.parse(text) as { error?: boolean; error_message?: string; statements?: Json[] };
  if (tree.error) throw invalidArgument(`${SYNTAX_ERROR}: ${tree.error_message ?? 'unknown parser error'}`);
  const out: QueryTree = { tables: [], cteNames: new Set(), functions: [] };
  walk(tree.statements ?? [], out);
  out.tables.sort((a, b) => a.location - b.location);
  return out;
}

function walk(node: Json, out: QueryTree): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  if (node.type === 'BASE_TABLE' && typeof node.table_name === 'string') {
    out.tables.push({
      catalog: String(node.catalog_name ?? ''),
      schema: String(node.schema_name ?? ''),
      table: node.table_name,
      alias: String(node.alias ?? ''),
      version: atVersion(node.at_clause ?? null, node.table_name),
      hasAtClause: node.at_clause !== null && node.at_clause !== undefined,
      location: Number(node.query_location),
    });
  }
  if (typeof node.function_name === 'string') out.functions.push(node.function_name);
  const cte = node.cte_map;
  if (cte && typeof cte === 'object' && !Array.isArray(cte) && Array.isArray(cte.map)) {
    for (const entry of cte.map) {
      if (entry && typeof entry === 'object' && !Array.isArray(entry) && typeof entry.key === 'string') out.cteNames.add(entry.key);
    }
  }
  for (const value of Object.values(node)) if (value !== null && typeof value === 'object') walk(value, out);
}

function atVersion(at: Json, table: string): number | undefined {
  if (at === null) return undefined;
  const clause = at as { unit?: string; expr?: { class?: string; value?: { is_null?: boolean; value?: Json } } };
  const value = clause.expr?.class === 'CONSTANT' && !clause.expr.value?.is_null ? clause.expr.value?.value : undefined;
  const version = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (String(clause.unit).toUpperCase() !== 'VERSION' || !Number.isSafeInteger(version) || version < 1) {
    throw invalidArgument(`${table}: time travel is written AT (VERSION => n) with a positive integer version n`);
  }
  return version;
}
