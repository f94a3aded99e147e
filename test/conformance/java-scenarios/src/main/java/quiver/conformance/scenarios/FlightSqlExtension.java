package quiver.conformance.scenarios;

import static quiver.conformance.scenarios.FlightSqlFixtures.PLAN;
import static quiver.conformance.scenarios.FlightSqlFixtures.PREPARED_UPDATED;
import static quiver.conformance.scenarios.FlightSqlFixtures.PREPARED_UPDATED_IN_TRANSACTION;
import static quiver.conformance.scenarios.FlightSqlFixtures.QUERY;
import static quiver.conformance.scenarios.FlightSqlFixtures.QUERY_IN_TRANSACTION;
import static quiver.conformance.scenarios.FlightSqlFixtures.SAVEPOINT_ID;
import static quiver.conformance.scenarios.FlightSqlFixtures.SAVEPOINT_NAME;
import static quiver.conformance.scenarios.FlightSqlFixtures.TRANSACTION_ID;
import static quiver.conformance.scenarios.FlightSqlFixtures.UPDATED;
import static quiver.conformance.scenarios.FlightSqlFixtures.UPDATED_IN_TRANSACTION;
import static quiver.conformance.scenarios.FlightSqlFixtures.expectSchema;
import static quiver.conformance.scenarios.FlightSqlFixtures.expectStream;

import java.util.Map;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.CancelResult;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.FlightSqlProducer.Schemas;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlInfo;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlSupportedTransaction;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * flight_sql:extension: every SqlInfo value (GetSqlInfo with no codes) read and checked, Substrait
 * plans executed, described, cancelled (CancelQuery) and run as updates, prepared plans, then one
 * transaction: a savepoint, every kind of statement inside it (results in the transaction's
 * schema, counts of the transaction), rollback and release of the savepoint, commit, and a second
 * transaction rolled back.
 */
final class FlightSqlExtension implements Scenario {
  @Override
  public void run(BufferAllocator allocator, Location location, FlightClient client) throws Exception {
    FlightSqlClient sql = new FlightSqlClient(client);
    sqlInfo(sql);
    substrait(allocator, sql);
    transactions(allocator, sql);
  }

  private static void sqlInfo(FlightSqlClient sql) throws Exception {
    expectStream("GetSqlInfo (all)", Schemas.GET_SQL_INFO_SCHEMA, sql.getSqlInfo(new int[0]), sql, stream -> {
      Map<Integer, Object> info = FlightSqlFixtures.sqlInfo(stream);
      Check.equal(Boolean.FALSE, info.get(SqlInfo.FLIGHT_SQL_SERVER_SQL_VALUE), "SqlInfo FLIGHT_SQL_SERVER_SQL");
      Check.equal(Boolean.TRUE, info.get(SqlInfo.FLIGHT_SQL_SERVER_SUBSTRAIT_VALUE), "SqlInfo FLIGHT_SQL_SERVER_SUBSTRAIT");
      Check.equal("min_version", info.get(SqlInfo.FLIGHT_SQL_SERVER_SUBSTRAIT_MIN_VERSION_VALUE), "SqlInfo FLIGHT_SQL_SERVER_SUBSTRAIT_MIN_VERSION");
      Check.equal("max_version", info.get(SqlInfo.FLIGHT_SQL_SERVER_SUBSTRAIT_MAX_VERSION_VALUE), "SqlInfo FLIGHT_SQL_SERVER_SUBSTRAIT_MAX_VERSION");
      Check.equal(SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_SAVEPOINT_VALUE, info.get(SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION_VALUE), "SqlInfo FLIGHT_SQL_SERVER_TRANSACTION");
      Check.equal(Boolean.TRUE, info.get(SqlInfo.FLIGHT_SQL_SERVER_CANCEL_VALUE), "SqlInfo FLIGHT_SQL_SERVER_CANCEL");
      Check.equal(42, info.get(SqlInfo.FLIGHT_SQL_SERVER_STATEMENT_TIMEOUT_VALUE), "SqlInfo FLIGHT_SQL_SERVER_STATEMENT_TIMEOUT");
      Check.equal(7, info.get(SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION_TIMEOUT_VALUE), "SqlInfo FLIGHT_SQL_SERVER_TRANSACTION_TIMEOUT");
    });
  }

  @SuppressWarnings("deprecation") // cancelQuery: the scenario tests the deprecated action too
  private static void substrait(BufferAllocator allocator, FlightSqlClient sql) throws Exception {
    FlightInfo info = sql.executeSubstrait(PLAN);
    expectStream("Substrait plan", QUERY, info, sql);
    expectSchema("Substrait plan", QUERY, sql.getExecuteSubstraitSchema(PLAN));
    Check.equal(CancelResult.CANCELLED, sql.cancelQuery(info), "CancelQuery of the plan's FlightInfo");
    Check.equal(UPDATED, sql.executeSubstraitUpdate(PLAN), "Substrait update record count");
    try (FlightSqlClient.PreparedStatement prepared = sql.prepare(PLAN);
        VectorSchemaRoot parameters = VectorSchemaRoot.create(QUERY, allocator)) {
      parameters.setRowCount(1);
      prepared.setParameters(parameters);
      expectStream("prepared Substrait plan", QUERY, prepared.execute(), sql);
      expectSchema("prepared Substrait plan", QUERY, prepared.fetchSchema());
    }
    try (FlightSqlClient.PreparedStatement prepared = sql.prepare(PLAN)) {
      Check.equal(PREPARED_UPDATED, prepared.executeUpdate(), "prepared Substrait update record count");
    }
  }

  private static void transactions(BufferAllocator allocator, FlightSqlClient sql) throws Exception {
    FlightSqlClient.Transaction txn = sql.beginTransaction();
    Check.equalBytes(TRANSACTION_ID, txn.getTransactionId(), "transaction id");
    FlightSqlClient.Savepoint savepoint = sql.beginSavepoint(txn, SAVEPOINT_NAME);
    Check.equalBytes(SAVEPOINT_ID, savepoint.getSavepointId(), "savepoint id");

    expectStream("SELECT STATEMENT in the transaction", QUERY_IN_TRANSACTION, sql.execute("SELECT STATEMENT", txn), sql);
    expectStream("Substrait plan in the transaction", QUERY_IN_TRANSACTION, sql.executeSubstrait(PLAN, txn), sql);
    expectSchema("SELECT STATEMENT in the transaction", QUERY_IN_TRANSACTION, sql.getExecuteSchema("SELECT STATEMENT", txn));
    expectSchema("Substrait plan in the transaction", QUERY_IN_TRANSACTION, sql.getExecuteSubstraitSchema(PLAN, txn));
    Check.equal(UPDATED_IN_TRANSACTION, sql.executeUpdate("UPDATE STATEMENT", txn), "UPDATE STATEMENT in the transaction");
    Check.equal(UPDATED_IN_TRANSACTION, sql.executeSubstraitUpdate(PLAN, txn), "Substrait update in the transaction");

    for (boolean plan : new boolean[] {false, true}) {
      try (FlightSqlClient.PreparedStatement prepared = plan ? sql.prepare(PLAN, txn) : sql.prepare("SELECT PREPARED STATEMENT", txn);
          VectorSchemaRoot parameters = VectorSchemaRoot.create(QUERY, allocator)) {
        parameters.setRowCount(1);
        prepared.setParameters(parameters);
        String what = (plan ? "prepared Substrait plan" : "SELECT PREPARED STATEMENT") + " in the transaction";
        expectStream(what, QUERY_IN_TRANSACTION, prepared.execute(), sql);
        expectSchema(what, QUERY_IN_TRANSACTION, prepared.fetchSchema());
      }
    }
    try (FlightSqlClient.PreparedStatement prepared = sql.prepare("UPDATE PREPARED STATEMENT", txn)) {
      Check.equal(PREPARED_UPDATED_IN_TRANSACTION, prepared.executeUpdate(), "UPDATE PREPARED STATEMENT in the transaction");
    }
    try (FlightSqlClient.PreparedStatement prepared = sql.prepare(PLAN, txn)) {
      Check.equal(PREPARED_UPDATED_IN_TRANSACTION, prepared.executeUpdate(), "prepared Substrait update in the transaction");
    }

    sql.rollback(savepoint);
    FlightSqlClient.Savepoint again = sql.beginSavepoint(txn, SAVEPOINT_NAME);
    Check.equalBytes(SAVEPOINT_ID, again.getSavepointId(), "second savepoint id");
    sql.release(savepoint);
    sql.commit(txn);

    FlightSqlClient.Transaction second = sql.beginTransaction();
    Check.equalBytes(TRANSACTION_ID, second.getTransactionId(), "second transaction id");
    sql.rollback(second);
  }
}
