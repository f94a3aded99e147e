package quiver.conformance.scenarios;

import static quiver.conformance.scenarios.FlightSqlFixtures.PREPARED_UPDATED;
import static quiver.conformance.scenarios.FlightSqlFixtures.QUERY;
import static quiver.conformance.scenarios.FlightSqlFixtures.UPDATED;
import static quiver.conformance.scenarios.FlightSqlFixtures.expectSchema;
import static quiver.conformance.scenarios.FlightSqlFixtures.expectStream;

import com.google.protobuf.Any;
import java.util.List;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.FlightSqlProducer.Schemas;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.flight.sql.util.TableRef;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * flight_sql, on Arrow Java's FlightSqlClient (flight-sql): every metadata call with the
 * scenario's arguments, each result's stream and GetSchema compared with the library's reference
 * schemas (FlightSqlProducer.Schemas); GetSqlInfo's ticket must be the request itself; a query and
 * an update as SQL text; a prepared query with one bound parameter row and a prepared update.
 */
class FlightSqlBase implements Scenario {
  @Override
  public void run(BufferAllocator allocator, Location location, FlightClient client) throws Exception {
    FlightSqlClient sql = new FlightSqlClient(client);
    metadata(sql);
    statements(sql);
    prepared(allocator, sql);
  }

  static void metadata(FlightSqlClient sql) throws Exception {
    expectStream("GetCatalogs", Schemas.GET_CATALOGS_SCHEMA, sql.getCatalogs(), sql);
    expectSchema("GetCatalogs", Schemas.GET_CATALOGS_SCHEMA, sql.getCatalogsSchema());
    expectStream("GetDbSchemas", Schemas.GET_SCHEMAS_SCHEMA, sql.getSchemas("catalog", "db_schema_filter_pattern"), sql);
    expectSchema("GetDbSchemas", Schemas.GET_SCHEMAS_SCHEMA, sql.getSchemasSchema());
    expectStream("GetTables", Schemas.GET_TABLES_SCHEMA,
        sql.getTables("catalog", "db_schema_filter_pattern", "table_filter_pattern", List.of("table", "view"), true), sql);
    expectSchema("GetTables with schemas", Schemas.GET_TABLES_SCHEMA, sql.getTablesSchema(true));
    expectSchema("GetTables without schemas", Schemas.GET_TABLES_SCHEMA_NO_SCHEMA, sql.getTablesSchema(false));
    expectStream("GetTableTypes", Schemas.GET_TABLE_TYPES_SCHEMA, sql.getTableTypes(), sql);
    expectSchema("GetTableTypes", Schemas.GET_TABLE_TYPES_SCHEMA, sql.getTableTypesSchema());
    TableRef table = TableRef.of("catalog", "db_schema", "table");
    expectStream("GetPrimaryKeys", Schemas.GET_PRIMARY_KEYS_SCHEMA, sql.getPrimaryKeys(table), sql);
    expectSchema("GetPrimaryKeys", Schemas.GET_PRIMARY_KEYS_SCHEMA, sql.getPrimaryKeysSchema());
    expectStream("GetExportedKeys", Schemas.GET_EXPORTED_KEYS_SCHEMA, sql.getExportedKeys(table), sql);
    expectSchema("GetExportedKeys", Schemas.GET_EXPORTED_KEYS_SCHEMA, sql.getExportedKeysSchema());
    expectStream("GetImportedKeys", Schemas.GET_IMPORTED_KEYS_SCHEMA, sql.getImportedKeys(table), sql);
    expectSchema("GetImportedKeys", Schemas.GET_IMPORTED_KEYS_SCHEMA, sql.getImportedKeysSchema());
    expectStream("GetCrossReference", Schemas.GET_CROSS_REFERENCE_SCHEMA,
        sql.getCrossReference(TableRef.of("pk_catalog", "pk_db_schema", "pk_table"), TableRef.of("fk_catalog", "fk_db_schema", "fk_table")), sql);
    expectSchema("GetCrossReference", Schemas.GET_CROSS_REFERENCE_SCHEMA, sql.getCrossReferenceSchema());
    expectStream("GetXdbcTypeInfo", Schemas.GET_TYPE_INFO_SCHEMA, sql.getXdbcTypeInfo(), sql);
    expectSchema("GetXdbcTypeInfo", Schemas.GET_TYPE_INFO_SCHEMA, sql.getXdbcTypeInfoSchema());

    FlightInfo info = sql.getSqlInfo(FlightSql.SqlInfo.FLIGHT_SQL_SERVER_NAME, FlightSql.SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY);
    // The ticket is the request: an Any of the same CommandGetSqlInfo.
    FlightSql.CommandGetSqlInfo asked = Any.parseFrom(info.getEndpoints().get(0).getTicket().getBytes()).unpack(FlightSql.CommandGetSqlInfo.class);
    Check.equal(List.of(FlightSql.SqlInfo.FLIGHT_SQL_SERVER_NAME_VALUE, FlightSql.SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY_VALUE), asked.getInfoList(), "GetSqlInfo ticket's info codes");
    expectStream("GetSqlInfo", Schemas.GET_SQL_INFO_SCHEMA, info, sql);
    expectSchema("GetSqlInfo", Schemas.GET_SQL_INFO_SCHEMA, sql.getSqlInfoSchema());
  }

  private static void statements(FlightSqlClient sql) throws Exception {
    expectStream("SELECT STATEMENT", QUERY, sql.execute("SELECT STATEMENT"), sql);
    expectSchema("SELECT STATEMENT", QUERY, sql.getExecuteSchema("SELECT STATEMENT"));
    Check.equal(UPDATED, sql.executeUpdate("UPDATE STATEMENT"), "UPDATE STATEMENT record count");
  }

  private static void prepared(BufferAllocator allocator, FlightSqlClient sql) throws Exception {
    try (FlightSqlClient.PreparedStatement select = sql.prepare("SELECT PREPARED STATEMENT");
        VectorSchemaRoot parameters = VectorSchemaRoot.create(QUERY, allocator)) {
      parameters.setRowCount(1);
      select.setParameters(parameters);
      expectStream("SELECT PREPARED STATEMENT", QUERY, select.execute(), sql);
      expectSchema("SELECT PREPARED STATEMENT", QUERY, select.fetchSchema());
    }
    try (FlightSqlClient.PreparedStatement update = sql.prepare("UPDATE PREPARED STATEMENT")) {
      Check.equal(PREPARED_UPDATED, update.executeUpdate(), "UPDATE PREPARED STATEMENT record count");
    }
  }
}
