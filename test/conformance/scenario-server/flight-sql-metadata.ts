// The metadata commands of the flight_sql* scenarios (GetCatalogs, GetDbSchemas, GetTables,
// GetTableTypes, the key calls, GetXdbcTypeInfo, GetSqlInfo), answered with quiver's own result
// schemas and row builders (src/sql/catalog-metadata.ts): the clients compare those schemas with
// their libraries' reference schemas, and DoGet streams the rows quiver's SQL service gives for a
// store with no tables, so they decode quiver's batches too. GetFlightInfo checks the arguments the
// clients send (the reference servers do the same); GetSchema has none to check.
import type { RecordBatch, Schema } from 'apache-arrow';
import {
  CATALOGS_SCHEMA, DB_SCHEMAS_SCHEMA, FOREIGN_KEYS_SCHEMA, PRIMARY_KEYS_SCHEMA, TABLE_TYPES_SCHEMA, XDBC_TYPE_INFO_SCHEMA,
  catalogsBatch, dbSchemasBatch, foreignKeysBatch, primaryKeysBatch, tableTypesBatch, tablesBatch, tablesSchema, xdbcTypeInfoBatch,
} from '../../../src/sql/catalog-metadata.ts';
import { SQL_INFO_SCHEMA } from '../../../src/sql/sql-info.ts';
import { expectField } from './flight-sql-expect.ts';
import { METADATA_REQUEST } from './flight-sql-fixtures.ts';
import { sqlInfoBatch, type InfoValue } from './flight-sql-info.ts';
import type { SqlRequest } from './flight-sql-messages.ts';

type TableRef = { catalog?: string; db_schema?: string; table: string };

function expectTable(what: string, expected: { catalog: string; db_schema: string; table: string }, actual: TableRef): void {
  expectField(`${what} catalog`, expected.catalog, actual.catalog);
  expectField(`${what} db_schema`, expected.db_schema, actual.db_schema);
  expectField(`${what} table`, expected.table, actual.table);
}

export class MetadataCommands {
  constructor(private readonly sqlInfo: ReadonlyMap<number, InfoValue>) {}

  /** The result schema of a metadata command; null when `req` is not one. */
  schema(req: SqlRequest): Schema | null {
    switch (req.name) {
      case 'CommandGetCatalogs': return CATALOGS_SCHEMA;
      case 'CommandGetDbSchemas': return DB_SCHEMAS_SCHEMA;
      case 'CommandGetTables': return tablesSchema(req.value);
      case 'CommandGetTableTypes': return TABLE_TYPES_SCHEMA;
      case 'CommandGetPrimaryKeys': return PRIMARY_KEYS_SCHEMA;
      case 'CommandGetExportedKeys': case 'CommandGetImportedKeys': case 'CommandGetCrossReference': return FOREIGN_KEYS_SCHEMA;
      case 'CommandGetXdbcTypeInfo': return XDBC_TYPE_INFO_SCHEMA;
      case 'CommandGetSqlInfo': return SQL_INFO_SCHEMA;
      default: return null;
    }
  }

  /** GetFlightInfo's checks: the arguments the scenario clients send with each command. */
  checkArguments(req: SqlRequest): void {
    const m = METADATA_REQUEST;
    switch (req.name) {
      case 'CommandGetDbSchemas':
        expectField('CommandGetDbSchemas.catalog', m.catalog, req.value.catalog);
        expectField('CommandGetDbSchemas.db_schema_filter_pattern', m.dbSchemaFilterPattern, req.value.db_schema_filter_pattern);
        break;
      case 'CommandGetTables':
        expectField('CommandGetTables.catalog', m.catalog, req.value.catalog);
        expectField('CommandGetTables.db_schema_filter_pattern', m.dbSchemaFilterPattern, req.value.db_schema_filter_pattern);
        expectField('CommandGetTables.table_name_filter_pattern', m.tableFilterPattern, req.value.table_name_filter_pattern);
        expectField('CommandGetTables.table_types', m.tableTypes, req.value.table_types);
        expectField('CommandGetTables.include_schema', true, req.value.include_schema);
        break;
      case 'CommandGetPrimaryKeys': case 'CommandGetExportedKeys': case 'CommandGetImportedKeys':
        expectTable(req.name, m.table, req.value);
        break;
      case 'CommandGetCrossReference':
        expectTable('CommandGetCrossReference pk', m.pkTable, { catalog: req.value.pk_catalog, db_schema: req.value.pk_db_schema, table: req.value.pk_table });
        expectTable('CommandGetCrossReference fk', m.fkTable, { catalog: req.value.fk_catalog, db_schema: req.value.fk_db_schema, table: req.value.fk_table });
        break;
      default:
        break;
    }
  }

  /** DoGet's rows for a metadata command (its ticket is the command itself). */
  batch(req: SqlRequest): RecordBatch | null {
    switch (req.name) {
      case 'CommandGetCatalogs': return catalogsBatch();
      case 'CommandGetDbSchemas': return dbSchemasBatch(req.value);
      case 'CommandGetTables': return tablesBatch(req.value, []);
      case 'CommandGetTableTypes': return tableTypesBatch();
      case 'CommandGetPrimaryKeys': return primaryKeysBatch();
      case 'CommandGetExportedKeys': case 'CommandGetImportedKeys': case 'CommandGetCrossReference': return foreignKeysBatch();
      case 'CommandGetXdbcTypeInfo': return xdbcTypeInfoBatch(req.value);
      case 'CommandGetSqlInfo': return sqlInfoBatch(this.sqlInfo, req.value.info);
      default: return null;
    }
  }
}
