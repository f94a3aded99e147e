// How SQL names map onto quiver tables (SQL-INTERFACE.md): every quiver table lives in catalog
// `quiver`, schema `main`, and its SQL table name is the whole quiver name, so `"sales/eu"`,
// `main."sales/eu"` and `quiver.main."sales/eu"` all name the table "sales/eu". Catalog and
// schema compare case-insensitively, as SQL identifiers do; the table name is taken exactly as
// written (quiver names are case-sensitive), quoted or not.
import { invalidArgument } from '../../errors.ts';

export const SQL_CATALOG = 'quiver';
export const SQL_SCHEMA = 'main';

/** The quiver table a (catalog, schema, table) reference names; refuses other catalogs and schemas. */
export function quiverTableOf(catalog: string, schema: string, table: string): string {
  if (catalog !== '' && catalog.toLowerCase() !== SQL_CATALOG) {
    throw invalidArgument(`catalog ${catalog} does not exist: quiver tables live in catalog ${SQL_CATALOG}, schema ${SQL_SCHEMA}`);
  }
  if (schema !== '' && schema.toLowerCase() !== SQL_SCHEMA) {
    throw invalidArgument(`schema ${schema} does not exist: quiver tables live in catalog ${SQL_CATALOG}, schema ${SQL_SCHEMA}`);
  }
  if (table === '') throw invalidArgument('a table name must not be empty');
  return table;
}
