// Makes DuckDB's own catalog the one the name mapping promises (sql-names.ts): statements run
// with catalog `quiver`, schema `main` as their defaults, so current_catalog() / current_schema()
// and the unqualified names DuckDB resolves agree with GetCatalogs and GetDbSchemas. An in-memory
// instance's database is always called `memory`, so an empty in-memory `quiver` database is
// attached at boot (while attaching is still allowed) and made each connection's default.
import type { DuckDBConnection } from '@duckdb/node-api';
import { SQL_CATALOG, SQL_SCHEMA } from './sql-names.ts';
import { quoteIdentifier } from './sql-tokens.ts';

/** At boot, before external access is turned off: attaches the empty `quiver` catalog. */
export async function attachQuiverCatalog(boot: DuckDBConnection): Promise<void> {
  await boot.run(`ATTACH ':memory:' AS ${quoteIdentifier(SQL_CATALOG)}`);
}

/** On each statement's connection: `quiver.main` is where unqualified names and current_catalog() point. */
export async function useQuiverCatalog(con: DuckDBConnection): Promise<void> {
  await con.run(`USE ${quoteIdentifier(SQL_CATALOG)}.${quoteIdentifier(SQL_SCHEMA)}`);
}
