package quiver.conformance.scenarios;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.FlightSqlProducer.Schemas;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlInfo;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * flight_sql:ingestion: SqlInfo says bulk ingestion and ingest transactions are supported; then
 * three rows of `test_field: int64` ingested into test_catalog.test_schema.test_table, temporary,
 * create-or-replace, in transaction "123", with options key1=val1 and key2=val2; the answer must
 * count three rows.
 */
final class FlightSqlIngestion implements Scenario {
  private static final Schema INGESTED = new Schema(List.of(Field.nullable("test_field", new ArrowType.Int(64, true))));

  @Override
  public void run(BufferAllocator allocator, Location location, FlightClient client) throws Exception {
    FlightSqlClient sql = new FlightSqlClient(client);
    FlightSqlFixtures.expectStream("GetSqlInfo", Schemas.GET_SQL_INFO_SCHEMA,
        sql.getSqlInfo(SqlInfo.FLIGHT_SQL_SERVER_INGEST_TRANSACTIONS_SUPPORTED, SqlInfo.FLIGHT_SQL_SERVER_BULK_INGESTION), sql, stream -> {
          Map<Integer, Object> info = FlightSqlFixtures.sqlInfo(stream);
          Check.equal(Boolean.TRUE, info.get(SqlInfo.FLIGHT_SQL_SERVER_INGEST_TRANSACTIONS_SUPPORTED_VALUE), "SqlInfo FLIGHT_SQL_SERVER_INGEST_TRANSACTIONS_SUPPORTED");
          Check.equal(Boolean.TRUE, info.get(SqlInfo.FLIGHT_SQL_SERVER_BULK_INGESTION_VALUE), "SqlInfo FLIGHT_SQL_SERVER_BULK_INGESTION");
        });
    try (VectorSchemaRoot rows = VectorSchemaRoot.create(INGESTED, allocator)) {
      rows.setRowCount(3);
      TableDefinitionOptions definition = TableDefinitionOptions.newBuilder()
          .setIfExists(TableDefinitionOptions.TableExistsOption.TABLE_EXISTS_OPTION_REPLACE)
          .setIfNotExist(TableDefinitionOptions.TableNotExistOption.TABLE_NOT_EXIST_OPTION_CREATE)
          .build();
      Map<String, String> options = new HashMap<>(Map.of("key1", "val1", "key2", "val2"));
      FlightSqlClient.ExecuteIngestOptions ingest = new FlightSqlClient.ExecuteIngestOptions("test_table", definition, true, "test_catalog", "test_schema", options);
      long count = sql.executeIngest(rows, ingest, new FlightSqlClient.Transaction(FlightSqlFixtures.bytes("123")));
      Check.equal(3L, count, "ingested record count");
    }
  }
}
