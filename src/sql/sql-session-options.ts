// The session options Flight SQL clients set: `catalog` and `schema` (ADBC's current catalog and
// schema, the JDBC URL's catalog). quiver has one of each, so those values are taken and any
// other is refused as INVALID_VALUE; every other option name goes to quiver's own rules.
import type { OptionPolicy } from '../flight/session-options.ts';
import { CATALOG, DB_SCHEMA } from './catalog-metadata.ts';

export const SQL_SESSION_OPTIONS: Record<string, string> = { catalog: CATALOG, schema: DB_SCHEMA };

export function withSqlSessionOptions(own: OptionPolicy): OptionPolicy {
  return (name, value) => {
    const only = SQL_SESSION_OPTIONS[name];
    if (only === undefined) return own(name, value);
    return value.string_value === only ? null : 'INVALID_VALUE';
  };
}
