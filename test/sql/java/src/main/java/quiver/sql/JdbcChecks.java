// Arrow's Flight SQL JDBC driver against a running `quiver serve`, used the way JDBC tools use it
// (DBeaver, Tableau, Superset all go through java.sql): DriverManager, Statement, PreparedStatement
// with bound parameters, executeUpdate counts, DatabaseMetaData, ResultSetMetaData, cancel, and
// errors as SQLException. It decides nothing about results: it runs the steps of a plan file and
// prints what JDBC answered, one JSON object a line, and test/interop/test_flight_sql_jdbc.py
// compares that with Python duckdb running the same SQL over the same data.
//
// Usage: java -Duser.timezone=UTC -cp CLASSPATH quiver.sql.JdbcChecks JDBC_URL PLAN_FILE [USER PASSWORD]
//
// Plan file: one step a line, fields separated by tabs: KIND, ID, then per kind
//   query    ID SQL                  Statement.executeQuery
//   scan     ID SQL                  Statement.executeQuery, only counting rows and summing column 1
//   execute  ID SQL                  Statement.execute (a result set or an update count)
//   update   ID SQL                  Statement.executeUpdate
//   prepared ID SQL PARAM...         PreparedStatement.execute, each PARAM TYPE:VALUE (see bind)
//   prepared_update ID SQL PARAM...  PreparedStatement.executeLargeUpdate
//   batch    ID SQL ROW...           PreparedStatement.addBatch per ROW (params joined by 0x1f), executeBatch
//   error    ID SQL                  Statement.execute that must fail: the SQLException's message and SQLState
//   cancel   ID SQL                  executeQuery on a thread, Statement.cancel after 1 s (again each second
//                                    while it runs): how it ended, how long
//   metadata ID TABLE                DatabaseMetaData calls, TABLE naming the table for the per-table ones
//   connect  ID URL SQL [USER PASSWORD]  a second connection running one query; its rows or "connect_error"
//   transactions ID SQL              setAutoCommit(false), executeUpdate, commit, rollback, setAutoCommit(true)
// Output per step: {"id", "kind", "ok", ...}; "ok": false with "error" when JDBC threw unexpectedly.
package quiver.sql;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

public final class JdbcChecks {
  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  public static void main(String[] args) throws Exception {
    if (args.length != 2 && args.length != 4) {
      System.err.println("usage: JdbcChecks JDBC_URL PLAN_FILE [USER PASSWORD]");
      System.exit(2);
    }
    Properties props = new Properties();
    if (args.length == 4) {
      props.setProperty("user", args[2]);
      props.setProperty("password", args[3]);
    }
    long connectStart = System.nanoTime();
    try (Connection conn = DriverManager.getConnection(args[0], props)) {
      Map<String, Object> connected = step("connect", "connect");
      connected.put("ok", true);
      connected.put("driver", conn.getMetaData().getDriverName() + " " + conn.getMetaData().getDriverVersion());
      connected.put("ms", (System.nanoTime() - connectStart) / 1_000_000);
      emit(connected);
      for (String line : Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8)) {
        if (line.isBlank()) continue;
        String[] f = line.split("\t", -1);
        emit(run(conn, f));
      }
    } catch (SQLException e) {
      Map<String, Object> failed = step("connect", "connect");
      failed.put("ok", false);
      failed.put("error", describe(e));
      emit(failed);
    }
  }

  private static Map<String, Object> run(Connection conn, String[] f) {
    String kind = f[0];
    Map<String, Object> out = step(f[1], kind);
    long start = System.nanoTime();
    try {
      switch (kind) {
        case "query":
          try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(f[2])) {
            dump(rs, out);
          }
          break;
        case "scan":
          // A result too big to print: its row count and the sum of its first (integer) column.
          try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(f[2])) {
            long rows = 0;
            long sum = 0;
            while (rs.next()) {
              rows++;
              sum += rs.getLong(1);
            }
            out.put("rows", rows);
            out.put("sum", sum);
          }
          break;
        case "execute":
          try (Statement st = conn.createStatement()) {
            if (st.execute(f[2])) {
              try (ResultSet rs = st.getResultSet()) {
                dump(rs, out);
              }
            } else {
              out.put("count", st.getLargeUpdateCount());
            }
          }
          break;
        case "update":
          try (Statement st = conn.createStatement()) {
            out.put("count", st.executeUpdate(f[2]));
          }
          break;
        case "prepared":
          try (PreparedStatement ps = conn.prepareStatement(f[2])) {
            out.put("parameters", ps.getParameterMetaData().getParameterCount());
            for (int i = 3; i < f.length; i++) bind(ps, i - 2, f[i]);
            if (ps.execute()) {
              try (ResultSet rs = ps.getResultSet()) {
                dump(rs, out);
              }
            } else {
              out.put("count", ps.getLargeUpdateCount());
            }
          }
          break;
        case "prepared_update":
          try (PreparedStatement ps = conn.prepareStatement(f[2])) {
            // The java.sql.Types the driver gives each parameter (from the server's parameter schema).
            List<Long> parameterTypes = new ArrayList<>();
            for (int i = 1; i <= ps.getParameterMetaData().getParameterCount(); i++) parameterTypes.add((long) ps.getParameterMetaData().getParameterType(i));
            out.put("parameter_types", parameterTypes);
            for (int i = 3; i < f.length; i++) bind(ps, i - 2, f[i]);
            out.put("count", ps.executeLargeUpdate());
          }
          break;
        case "batch":
          try (PreparedStatement ps = conn.prepareStatement(f[2])) {
            for (int r = 3; r < f.length; r++) {
              String[] params = f[r].split("\u001f", -1);
              for (int i = 0; i < params.length; i++) bind(ps, i + 1, params[i]);
              ps.addBatch();
            }
            List<Long> counts = new ArrayList<>();
            for (int c : ps.executeBatch()) counts.add((long) c);
            out.put("counts", counts);
          }
          break;
        case "error":
          try (Statement st = conn.createStatement()) {
            boolean rows = st.execute(f[2]);
            // A result set's rows are fetched lazily: a failure may surface only when read.
            if (rows) {
              try (ResultSet rs = st.getResultSet()) {
                while (rs.next()) {}
              }
            }
            out.put("ok", false);
            out.put("error", "no SQLException: the statement succeeded");
            return out;
          } catch (SQLException e) {
            out.put("ok", true);
            out.put("message", describe(e));
            out.put("sqlstate", e.getSQLState());
            out.put("connection_usable", usable(conn));
            return out;
          }
        case "cancel":
          cancel(conn, f[2], out);
          break;
        case "metadata":
          metadata(conn.getMetaData(), f[2], out);
          break;
        case "connect": {
          // Another connection: URL (user and password in it, or as the next two fields), one query.
          Properties props = new Properties();
          if (f.length > 5) {
            props.setProperty("user", f[4]);
            props.setProperty("password", f[5]);
          }
          try (Connection other = DriverManager.getConnection(f[2], props);
              Statement st = other.createStatement();
              ResultSet rs = st.executeQuery(f[3])) {
            dump(rs, out);
          } catch (SQLException e) {
            out.put("connect_error", describe(e));
          }
          break;
        }
        case "transactions":
          // What tools do around statements: autocommit off, commit, rollback; then a write.
          conn.setAutoCommit(false);
          out.put("autocommit_off", !conn.getAutoCommit());
          try (Statement st = conn.createStatement()) {
            out.put("count", st.executeUpdate(f[2]));
          }
          conn.commit();
          conn.rollback();
          conn.setAutoCommit(true);
          out.put("isolation", conn.getTransactionIsolation());
          break;
        default:
          throw new IllegalArgumentException("unknown step kind " + kind);
      }
      out.put("ok", true);
    } catch (Exception e) {
      out.put("ok", false);
      out.put("error", describe(e));
    }
    out.put("ms", (System.nanoTime() - start) / 1_000_000);
    return out;
  }

  /** PARAM is TYPE:VALUE; null:TYPE binds SQL NULL of that java.sql.Types name. */
  private static void bind(PreparedStatement ps, int index, String param) throws SQLException {
    int colon = param.indexOf(':');
    String type = param.substring(0, colon);
    String value = param.substring(colon + 1);
    switch (type) {
      case "int": ps.setInt(index, Integer.parseInt(value)); break;
      case "long": ps.setLong(index, Long.parseLong(value)); break;
      case "short": ps.setShort(index, Short.parseShort(value)); break;
      case "double": ps.setDouble(index, Double.parseDouble(value)); break;
      case "float": ps.setFloat(index, Float.parseFloat(value)); break;
      case "string": ps.setString(index, value); break;
      case "bool": ps.setBoolean(index, Boolean.parseBoolean(value)); break;
      case "decimal": ps.setBigDecimal(index, new BigDecimal(value)); break;
      case "date": ps.setDate(index, java.sql.Date.valueOf(value)); break;
      case "timestamp": ps.setTimestamp(index, java.sql.Timestamp.valueOf(value)); break;
      case "bytes": ps.setBytes(index, value.getBytes(StandardCharsets.UTF_8)); break;
      case "object": ps.setObject(index, value); break;
      case "null": ps.setNull(index, typeCode(value)); break;
      default: throw new IllegalArgumentException("unknown parameter type " + type);
    }
  }

  private static int typeCode(String name) {
    try {
      return Types.class.getField(name).getInt(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("unknown java.sql.Types name " + name);
    }
  }

  /** Columns (ResultSetMetaData) and every row, values read by the getter JDBC tools use for the column's type. */
  private static void dump(ResultSet rs, Map<String, Object> out) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<Object> columns = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("name", md.getColumnLabel(i));
      c.put("type", md.getColumnType(i));
      c.put("type_name", md.getColumnTypeName(i));
      c.put("class", md.getColumnClassName(i));
      c.put("precision", md.getPrecision(i));
      c.put("scale", md.getScale(i));
      c.put("nullable", md.isNullable(i));
      c.put("table", md.getTableName(i));
      columns.add(c);
    }
    out.put("columns", columns);
    List<Object> rows = new ArrayList<>();
    while (rs.next()) {
      List<Object> row = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) row.add(value(rs, i, md.getColumnType(i)));
      rows.add(row);
    }
    out.put("rows", rows);
  }

  private static Object value(ResultSet rs, int i, int type) throws SQLException {
    Object v;
    switch (type) {
      case Types.BIT:
      case Types.BOOLEAN: v = rs.getBoolean(i); break;
      case Types.TINYINT:
      case Types.SMALLINT:
      case Types.INTEGER:
      case Types.BIGINT: v = rs.getLong(i); break;
      case Types.REAL:
      case Types.FLOAT:
      case Types.DOUBLE: v = rs.getDouble(i); break;
      case Types.DECIMAL:
      case Types.NUMERIC: {
        BigDecimal d = rs.getBigDecimal(i);
        v = d == null ? null : d.toPlainString();
        break;
      }
      case Types.DATE: {
        java.sql.Date d = rs.getDate(i);
        v = d == null ? null : d.toLocalDate().toString();
        break;
      }
      case Types.TIMESTAMP:
      case Types.TIMESTAMP_WITH_TIMEZONE: {
        java.sql.Timestamp t = rs.getTimestamp(i);
        v = t == null ? null : t.toLocalDateTime().format(TIMESTAMP);
        break;
      }
      case Types.BINARY:
      case Types.VARBINARY:
      case Types.LONGVARBINARY: {
        byte[] b = rs.getBytes(i);
        v = b == null ? null : new String(b, StandardCharsets.UTF_8);
        break;
      }
      default: v = rs.getString(i);
    }
    return rs.wasNull() ? null : v;
  }

  private static void cancel(Connection conn, String sql, Map<String, Object> out) throws Exception {
    try (Statement st = conn.createStatement()) {
      AtomicReference<Object> outcome = new AtomicReference<>();
      long start = System.nanoTime();
      Thread runner = new Thread(() -> {
        try (ResultSet rs = st.executeQuery(sql)) {
          long n = 0;
          while (rs.next()) n++;
          outcome.set("finished with " + n + " rows");
        } catch (Exception e) {
          outcome.set(e);
        }
      });
      runner.start();
      Thread.sleep(1000);
      // The driver (18.3.0) acts on cancel() only once the result set is open: a cancel that lands
      // while the statement is still being prepared is lost. A user cancels again; so does this.
      int cancels = 0;
      while (runner.isAlive() && cancels < 30) {
        st.cancel();
        cancels++;
        runner.join(1000);
      }
      out.put("cancels", cancels);
      out.put("seconds", (System.nanoTime() - start) / 1e9);
      out.put("stopped", !runner.isAlive());
      Object o = outcome.get();
      out.put("outcome", o instanceof Exception ? "exception" : String.valueOf(o));
      if (o instanceof Exception) out.put("message", describe((Exception) o));
    }
    out.put("connection_usable", usable(conn));
  }

  private static void metadata(DatabaseMetaData md, String table, Map<String, Object> out) throws SQLException {
    out.put("product_name", md.getDatabaseProductName());
    out.put("product_version", md.getDatabaseProductVersion());
    out.put("supports_transactions", md.supportsTransactions());
    out.put("default_isolation", md.getDefaultTransactionIsolation());
    out.put("read_only", md.isReadOnly());
    out.put("identifier_quote", md.getIdentifierQuoteString());
    out.put("sql_keywords", md.getSQLKeywords());
    out.put("numeric_functions", md.getNumericFunctions());
    out.put("string_functions", md.getStringFunctions());
    out.put("catalog_term", md.getCatalogTerm());
    out.put("schema_term", md.getSchemaTerm());
    out.put("supports_outer_joins", md.supportsOuterJoins());
    out.put("supports_full_outer_joins", md.supportsFullOuterJoins());
    out.put("supports_limited_outer_joins", md.supportsLimitedOuterJoins());
    out.put("supports_batch_updates", md.supportsBatchUpdates());
    out.put("supports_column_aliasing", md.supportsColumnAliasing());
    out.put("max_table_name_length", md.getMaxTableNameLength());
    out.put("sql_state_type", md.getSQLStateType());
    out.put("supports_ansi92_entry", md.supportsANSI92EntryLevelSQL());
    out.put("nulls_sorted_at_end", md.nullsAreSortedAtEnd());
    out.put("catalogs", rows(md.getCatalogs()));
    out.put("schemas", rows(md.getSchemas()));
    out.put("schemas_of_quiver", rows(md.getSchemas("quiver", "%")));
    out.put("table_types", rows(md.getTableTypes()));
    out.put("tables", rows(md.getTables(null, null, "%", null)));
    out.put("tables_typed", rows(md.getTables("quiver", "main", table, new String[] {"TABLE"})));
    out.put("tables_of_view_type", rows(md.getTables(null, null, "%", new String[] {"VIEW"})));
    out.put("columns", rows(md.getColumns("quiver", "main", table, "%")));
    // What a tool's schema browser does: every column of every table.
    out.put("all_columns", rows(md.getColumns(null, null, "%", "%")));
    out.put("primary_keys", rows(md.getPrimaryKeys("quiver", "main", table)));
    out.put("imported_keys", rows(md.getImportedKeys("quiver", "main", table)));
    out.put("exported_keys", rows(md.getExportedKeys("quiver", "main", table)));
    out.put("type_info", rows(md.getTypeInfo()));
  }

  /** A metadata result set as a list of {column label: value}. */
  private static List<Object> rows(ResultSet rs) throws SQLException {
    try (rs) {
      ResultSetMetaData md = rs.getMetaData();
      List<Object> rows = new ArrayList<>();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          Object v = rs.getObject(i);
          row.put(md.getColumnLabel(i), v == null || v instanceof Number || v instanceof Boolean ? v : String.valueOf(v));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  /** After an error the same connection must still answer a query. */
  private static Object usable(Connection conn) {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 AS one")) {
      return rs.next() && rs.getInt(1) == 1;
    } catch (SQLException e) {
      return describe(e);
    }
  }

  /** The message of an exception and of its causes, the way a tool shows it. */
  private static String describe(Throwable e) {
    StringBuilder s = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (s.length() > 0) s.append(" <- ");
      s.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
      if (t.getCause() == t) break;
    }
    return s.toString();
  }

  private static Map<String, Object> step(String id, String kind) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("kind", kind);
    return m;
  }

  private static void emit(Map<String, Object> m) {
    StringBuilder s = new StringBuilder();
    json(m, s);
    OUT.println(s);
  }

  private static void json(Object v, StringBuilder s) {
    if (v == null) {
      s.append("null");
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      s.append(v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) json(String.valueOf(d), s);
      else s.append(Double.toString(d));
    } else if (v instanceof Map) {
      s.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        if (!first) s.append(',');
        first = false;
        json(String.valueOf(e.getKey()), s);
        s.append(':');
        json(e.getValue(), s);
      }
      s.append('}');
    } else if (v instanceof List) {
      s.append('[');
      boolean first = true;
      for (Object o : (List<?>) v) {
        if (!first) s.append(',');
        first = false;
        json(o, s);
      }
      s.append(']');
    } else if (v instanceof Number) {
      json(v.toString(), s);
    } else {
      String str = v.toString();
      s.append('"');
      for (int i = 0; i < str.length(); i++) {
        char c = str.charAt(i);
        switch (c) {
          case '"': s.append("\\\""); break;
          case '\\': s.append("\\\\"); break;
          case '\n': s.append("\\n"); break;
          case '\r': s.append("\\r"); break;
          case '\t': s.append("\\t"); break;
          default:
            if (c < 0x20) s.append(String.format("\\u%04x", (int) c));
            else s.append(c);
        }
      }
      s.append('"');
    }
  }
}
