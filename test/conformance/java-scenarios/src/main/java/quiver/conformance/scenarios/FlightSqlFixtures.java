package quiver.conformance.scenarios;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.FlightSqlColumnMetadata;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.DenseUnionVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * What the three flight_sql* scenarios share: the literal values every Arrow implementation's
 * scenario uses (statements, plan, transaction and savepoint ids, counts), the result schemas with
 * their Flight SQL column metadata, and the two checks Arrow Java main's FlightSqlScenario makes
 * of every result: the stream of an endpoint has the expected schema, and a SchemaResult does.
 */
final class FlightSqlFixtures {
  private FlightSqlFixtures() {}

  static final long UPDATED = 10_000L;
  static final long UPDATED_IN_TRANSACTION = 15_000L;
  static final long PREPARED_UPDATED = 20_000L;
  static final long PREPARED_UPDATED_IN_TRANSACTION = 25_000L;
  static final byte[] TRANSACTION_ID = bytes("transaction_id");
  static final byte[] SAVEPOINT_ID = bytes("savepoint_id");
  static final String SAVEPOINT_NAME = "savepoint_name";
  static final FlightSqlClient.SubstraitPlan PLAN = new FlightSqlClient.SubstraitPlan(bytes("plan"), "version");

  static final Schema QUERY = schemaOf("id", new ArrowType.Int(64, true));
  static final Schema QUERY_IN_TRANSACTION = schemaOf("pkey", new ArrowType.Int(32, true));

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Schema schemaOf(String column, ArrowType type) {
    Map<String, String> metadata = new FlightSqlColumnMetadata.Builder()
        .tableName("test").isAutoIncrement(true).isCaseSensitive(false).typeName("type_test").schemaName("schema_test")
        .isSearchable(true).catalogName("catalog_test").precision(100).remarks("test column").build().getMetadataMap();
    return new Schema(List.of(new Field(column, new FieldType(true, type, null, metadata), null)));
  }

  /** The first endpoint's stream has `expected` as its schema; `rows` (if given) reads it on. */
  static void expectStream(String what, Schema expected, FlightInfo info, FlightSqlClient sql, java.util.function.Consumer<FlightStream> rows) throws Exception {
    Check.that(!info.getEndpoints().isEmpty(), what + ": the FlightInfo must have an endpoint");
    try (FlightStream stream = sql.getStream(info.getEndpoints().get(0).getTicket())) {
      Check.equal(expected, stream.getSchema(), what + ": stream schema");
      if (rows != null) rows.accept(stream);
    }
  }

  static void expectStream(String what, Schema expected, FlightInfo info, FlightSqlClient sql) throws Exception {
    expectStream(what, expected, info, sql, null);
  }

  static void expectSchema(String what, Schema expected, SchemaResult actual) {
    Check.equal(expected, actual.getSchema(), what + ": GetSchema");
  }

  /** A GetSqlInfo stream as code -> value (string, bool, int64 or int32 members); a code twice fails. */
  static Map<Integer, Object> sqlInfo(FlightStream stream) {
    Map<Integer, Object> values = new HashMap<>();
    while (stream.next()) {
      UInt4Vector names = (UInt4Vector) stream.getRoot().getVector(0);
      DenseUnionVector union = (DenseUnionVector) stream.getRoot().getVector(1);
      for (int row = 0; row < stream.getRoot().getRowCount(); row++) {
        int code = names.get(row);
        byte member = union.getTypeId(row);
        int at = union.getOffset(row);
        Object value;
        switch (member) {
          case 0: value = ((VarCharVector) union.getVectorByType(member)).getObject(at).toString(); break;
          case 1: value = ((BitVector) union.getVectorByType(member)).getObject(at); break;
          case 2: value = ((BigIntVector) union.getVectorByType(member)).getObject(at); break;
          case 3: value = ((IntVector) union.getVectorByType(member)).getObject(at); break;
          default: throw new Check.Failed("SqlInfo " + code + " has union member " + member + ", which the scenarios do not use");
        }
        Check.that(values.put(code, value) == null, "SqlInfo " + code + " appears twice");
      }
    }
    return values;
  }
}
