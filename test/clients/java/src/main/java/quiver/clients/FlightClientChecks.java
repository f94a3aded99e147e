// Arrow Java's Flight client (flight-core) against a running `quiver serve`: the checks of
// test/clients/README.md, one JSON line per check on stdout.
//
//   java --add-opens=java.base/java.nio=ALL-UNNAMED -cp ... quiver.clients.FlightClientChecks \
//     --location grpc+tls://localhost:PORT --ca root-ca.pem [--cert c.pem --key c.pkcs8 --mtls]
package quiver.clients;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.NullableStructWriter;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.complex.impl.UnionMapWriter;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

public final class FlightClientChecks {
  static final String USER = "alice";
  static final String PASSWORD = "secret";
  static final CallOption TIMEOUT = CallOptions.timeout(30, TimeUnit.SECONDS);
  static final List<String> CHECKS = List.of("handshake", "wrong_password", "put", "append", "list_flights",
      "read_endpoints", "not_found", "wrong_schema", "no_client_cert");
  static final Map<String, List<String>> NEEDS = Map.of("put", List.of("handshake"), "append", List.of("put"),
      "list_flights", List.of("append"), "read_endpoints", List.of("append"), "not_found", List.of("handshake"),
      "wrong_schema", List.of("put"));

  // The table every client writes (the same formulas as the pyarrow and Go clients). In Arrow
  // Java a dictionary-encoded column holds its indices; the values live in the provider.
  static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;
  static final DictionaryEncoding CATEGORY_ENCODING = new DictionaryEncoding(0L, false, new ArrowType.Int(32, true));
  static final Schema SCHEMA = new Schema(List.of(
      new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
      new Field("name", FieldType.nullable(UTF8), null),
      new Field("category", new FieldType(true, new ArrowType.Int(32, true), CATEGORY_ENCODING), null),
      new Field("tags", FieldType.nullable(ArrowType.List.INSTANCE), List.of(new Field("item", FieldType.nullable(UTF8), null))),
      new Field("point", FieldType.nullable(ArrowType.Struct.INSTANCE), List.of(
          new Field("x", FieldType.notNullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), null),
          new Field("y", FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), null))),
      new Field("attrs", FieldType.nullable(new ArrowType.Map(false)), List.of(
          new Field("entries", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(
              new Field("key", FieldType.notNullable(UTF8), null),
              new Field("value", FieldType.nullable(new ArrowType.Int(64, true)), null)))))));
  static final Schema WRONG_SCHEMA = new Schema(List.of(new Field("id", FieldType.nullable(UTF8), null)));

  final String location;
  final String table;
  final String ca;
  final String cert;
  final String key;
  final int expectLocations;
  final BufferAllocator allocator = new RootAllocator();
  final List<AutoCloseable> open = new ArrayList<>();
  final DictionaryProvider.MapDictionaryProvider categories = new DictionaryProvider.MapDictionaryProvider();
  final List<List<Object>> written = new ArrayList<>();
  FlightClient client;
  CredentialCallOption token;

  FlightClientChecks(String location, String table, String ca, String cert, String key, int expectLocations) {
    this.location = location;
    this.expectLocations = expectLocations;
    this.table = table;
    this.ca = ca;
    this.cert = cert;
    this.key = key;
    VarCharVector values = new VarCharVector("category", allocator);
    open.add(values);
    values.allocateNew();
    String[] names = {"red", "green", "blue"};
    for (int i = 0; i < names.length; i++) values.setSafe(i, names[i].getBytes(StandardCharsets.UTF_8));
    values.setValueCount(names.length);
    categories.put(new Dictionary(values, CATEGORY_ENCODING));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    boolean mtls = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--mtls")) mtls = true;
      else if (args[i].startsWith("--") && i + 1 < args.length) opts.put(args[i].substring(2), args[++i]);
      else throw new IllegalArgumentException("unexpected argument " + args[i]);
    }
    if (!opts.containsKey("location")) throw new IllegalArgumentException("--location is required");
    FlightClientChecks s = new FlightClientChecks(opts.get("location"),
        opts.getOrDefault("table", "arrow-java-" + System.nanoTime()), opts.get("ca"), opts.get("cert"), opts.get("key"),
        Integer.parseInt(opts.getOrDefault("expect-locations", "1")));
    Map<String, Boolean> done = new HashMap<>();
    int failed = 0;
    for (String check : CHECKS) {
      if (check.equals("no_client_cert") && !mtls) continue;
      List<String> missing = new ArrayList<>();
      for (String n : NEEDS.getOrDefault(check, List.of())) if (!done.getOrDefault(n, false)) missing.add(n);
      long started = System.nanoTime();
      boolean ok = false;
      String detail;
      if (!missing.isEmpty()) {
        detail = "not run: " + String.join(", ", missing) + " failed";
      } else {
        try {
          detail = s.run(check);
          ok = true;
        } catch (Throwable e) {
          detail = e.toString();
        }
      }
      done.put(check, ok);
      if (!ok) failed++;
      System.out.println("{\"check\":" + json(check) + ",\"ok\":" + ok + ",\"detail\":" + json(detail)
          + ",\"ms\":" + (System.nanoTime() - started) / 1_000_000 + "}");
      System.out.flush();
    }
    s.close();
    System.exit(failed > 0 ? 1 : 0);
  }

  String run(String check) throws Exception {
    switch (check) {
      case "handshake": return handshake();
      case "wrong_password": return wrongPassword();
      case "put": return put(new int[][] {{0, 7}, {7, 6}});
      case "append": return put(new int[][] {{13, 8}});
      case "list_flights": return listFlights();
      case "read_endpoints": return readEndpoints();
      case "not_found": return notFound();
      case "wrong_schema": return wrongSchema();
      case "no_client_cert": return noClientCert();
      default: throw new IllegalArgumentException(check);
    }
  }

  /** A client for a location with this run's TLS settings (the client certificate unless told not to). */
  FlightClient connect(String uri, boolean withCertificate) throws Exception {
    Location loc = new Location(new URI(uri));
    FlightClient.Builder b = FlightClient.builder(allocator, loc);
    if (uri.startsWith("grpc+tls://")) {
      b.useTls();
      if (ca != null) b.trustedCertificates(stream(ca));
      // Arrow Java reads the client key as PKCS#8 only (the corpus's cert1.pkcs1 is that).
      if (withCertificate && cert != null) b.clientCertificate(stream(cert), stream(key));
    }
    FlightClient c = b.build();
    open.add(c);
    return c;
  }

  InputStream stream(String path) throws IOException {
    InputStream in = new FileInputStream(path);
    open.add(in);
    return in;
  }

  static CredentialCallOption authenticate(FlightClient c, String password) {
    Optional<CredentialCallOption> t = c.authenticateBasicToken(USER, password);
    return t.orElseThrow(() -> new IllegalStateException("Handshake returned no bearer token"));
  }

  String handshake() throws Exception {
    client = connect(location, true);
    token = authenticate(client, PASSWORD);
    return "Basic credentials exchanged for a bearer token";
  }

  String wrongPassword() throws Exception {
    FlightClient c = connect(location, true);
    expectStatus(FlightStatusCode.UNAUTHENTICATED, () -> authenticate(c, PASSWORD + "-wrong"));
    return "Handshake with a wrong password -> UNAUTHENTICATED";
  }

  String put(int[][] batches) throws Exception {
    int rows = 0;
    try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
      FlightClient.ClientStreamListener listener = client.startPut(FlightDescriptor.path(table), root, categories,
          new AsyncPutListener(), token, TIMEOUT);
      for (int[] batch : batches) {
        fill(root, batch[0], batch[1]);
        written.addAll(rowsOf(root, categories));
        listener.putNext();
        rows += batch[1];
      }
      listener.completed();
      listener.getResult();
    }
    return "DoPut of " + batches.length + " batches, " + rows + " rows";
  }

  /** Rows start..start+count-1, by the formulas every client shares. */
  static void fill(VectorSchemaRoot root, int start, int count) {
    root.allocateNew();
    BigIntVector id = (BigIntVector) root.getVector("id");
    VarCharVector name = (VarCharVector) root.getVector("name");
    IntVector category = (IntVector) root.getVector("category");
    ListVector tags = (ListVector) root.getVector("tags");
    StructVector point = (StructVector) root.getVector("point");
    MapVector attrs = (MapVector) root.getVector("attrs");
    UnionListWriter tagWriter = tags.getWriter();
    NullableStructWriter pointWriter = point.getWriter();
    UnionMapWriter attrWriter = attrs.getWriter();
    for (int r = 0; r < count; r++) {
      int i = start + r;
      id.setSafe(r, i);
      if (i % 3 == 1) name.setNull(r);
      else name.setSafe(r, ("name-" + i).getBytes(StandardCharsets.UTF_8));
      if (i % 4 == 2) category.setNull(r);
      else category.setSafe(r, i % 3);
      tagWriter.setPosition(r);
      if (i % 5 == 0) {
        tagWriter.writeNull();
      } else {
        tagWriter.startList();
        for (int j = 0; j < i % 3; j++) {
          if (j == 1) tagWriter.varChar().writeNull();
          else tagWriter.varChar().writeVarChar("t" + i + "-" + j);
        }
        tagWriter.endList();
      }
      pointWriter.setPosition(r);
      if (i % 6 == 3) {
        pointWriter.writeNull();
      } else {
        pointWriter.start();
        pointWriter.float8("x").writeFloat8(i * 0.5);
        if (i % 2 == 0) pointWriter.float8("y").writeNull();
        else pointWriter.float8("y").writeFloat8(-(double) i);
        pointWriter.end();
      }
      attrWriter.setPosition(r);
      if (i % 7 == 4) {
        attrWriter.writeNull();
      } else {
        attrWriter.startMap();
        attrWriter.startEntry();
        attrWriter.key().varChar().writeVarChar("k0");
        attrWriter.value().bigInt().writeBigInt(i);
        attrWriter.endEntry();
        if (i % 2 == 1) {
          attrWriter.startEntry();
          attrWriter.key().varChar().writeVarChar("k1");
          attrWriter.value().bigInt().writeBigInt(i * 10L);
          attrWriter.endEntry();
        }
        attrWriter.endMap();
      }
    }
    root.setRowCount(count);
  }

  /** Every row as Java values, dictionary indices replaced by the values they stand for. */
  static List<List<Object>> rowsOf(VectorSchemaRoot root, DictionaryProvider dictionaries) {
    List<List<Object>> rows = new ArrayList<>();
    for (int r = 0; r < root.getRowCount(); r++) {
      List<Object> row = new ArrayList<>();
      for (FieldVector v : root.getFieldVectors()) {
        DictionaryEncoding enc = v.getField().getDictionary();
        Object value = v.getObject(r);
        if (enc != null && value != null) {
          ValueVector values = dictionaries.lookup(enc.getId()).getVector();
          value = values.getObject(((Number) value).intValue());
        }
        row.add(value == null ? null : value.toString());
      }
      rows.add(row);
    }
    return rows;
  }

  String listFlights() {
    List<String> names = new ArrayList<>();
    List<FlightInfo> mine = new ArrayList<>();
    for (FlightInfo info : client.listFlights(new Criteria(table.getBytes(StandardCharsets.UTF_8)), token, TIMEOUT)) {
      String path = String.join("/", info.getDescriptor().getPath());
      names.add(path);
      if (path.equals(table)) mine.add(info);
    }
    if (mine.size() != 1) throw new AssertionError("ListFlights(" + table + ") listed " + names);
    if (mine.get(0).getRecords() != written.size()) {
      throw new AssertionError("ListFlights says " + mine.get(0).getRecords() + " records, expected " + written.size());
    }
    return "listed with total_records=" + mine.get(0).getRecords();
  }

  String readEndpoints() throws Exception {
    FlightInfo info = client.getInfo(FlightDescriptor.path(table), token, TIMEOUT);
    if (info.getEndpoints().size() < 2) throw new AssertionError("expected several endpoints (one per file), got " + info.getEndpoints().size());
    String scheme = location.substring(0, location.indexOf("://"));
    List<List<Object>> got = new ArrayList<>();
    int reads = 0;
    Map<String, FlightClient> peers = new LinkedHashMap<>();
    for (int n = 0; n < info.getEndpoints().size(); n++) {
      FlightEndpoint ep = info.getEndpoints().get(n);
      if (ep.getLocations().stream().map(l -> l.getUri().toString()).distinct().count() != expectLocations) {
        throw new AssertionError("endpoint " + n + " has locations " + ep.getLocations() + "; expected " + expectLocations + " distinct");
      }
      List<List<Object>> first = null;
      for (Location loc : ep.getLocations()) {
        String uri = loc.getUri().toString();
        if (!uri.startsWith(scheme + "://")) throw new AssertionError("endpoint " + n + " location " + uri + ": expected " + scheme + "://");
        // A new connection per location, as a reader of a remote endpoint would open.
        FlightClient peer = peers.containsKey(uri) ? peers.get(uri) : connect(uri, true);
        CredentialCallOption peerToken = authenticate(peer, PASSWORD);
        peers.put(uri, peer);
        List<List<Object>> rows = new ArrayList<>();
        try (FlightStream stream = peer.getStream(ep.getTicket(), peerToken, TIMEOUT)) {
          if (!stream.getSchema().equals(SCHEMA)) {
            throw new AssertionError("DoGet schema differs:\n" + stream.getSchema() + "\nexpected\n" + SCHEMA);
          }
          while (stream.next()) rows.addAll(rowsOf(stream.getRoot(), stream.getDictionaryProvider()));
        }
        reads++;
        if (first == null) {
          first = rows;
          got.addAll(rows);
        } else if (!first.equals(rows)) {
          throw new AssertionError("endpoint " + n + ": " + uri + " returned other data than " + ep.getLocations().get(0).getUri());
        }
      }
    }
    if (!got.equals(written)) {
      throw new AssertionError("read back differs from what was written\n--- got ---\n" + got + "\n--- want ---\n" + written);
    }
    return info.getEndpoints().size() + " endpoints, " + reads + " DoGets, " + got.size() + " rows equal to those written";
  }

  String notFound() {
    expectStatus(FlightStatusCode.NOT_FOUND, () -> client.getInfo(FlightDescriptor.path(table + "-no-such-table"), token, TIMEOUT));
    return "GetFlightInfo of an unknown table -> NOT_FOUND";
  }

  String wrongSchema() {
    expectStatus(FlightStatusCode.INVALID_ARGUMENT, () -> {
      try (VectorSchemaRoot root = VectorSchemaRoot.create(WRONG_SCHEMA, allocator)) {
        root.allocateNew();
        ((VarCharVector) root.getVector("id")).setSafe(0, "x".getBytes(StandardCharsets.UTF_8));
        root.setRowCount(1);
        FlightClient.ClientStreamListener listener = client.startPut(FlightDescriptor.path(table), root,
            new AsyncPutListener(), token, TIMEOUT);
        listener.putNext();
        listener.completed();
        listener.getResult();
      }
      return null;
    });
    return "DoPut appending an incompatible schema -> INVALID_ARGUMENT";
  }

  String noClientCert() throws Exception {
    FlightClient c = connect(location, false);
    expectStatus(FlightStatusCode.UNAVAILABLE, () -> c.getInfo(FlightDescriptor.path(table), TIMEOUT));
    return "a client without a certificate is refused (UNAVAILABLE)";
  }

  interface Call {
    Object call() throws Exception;
  }

  static void expectStatus(FlightStatusCode want, Call call) {
    try {
      call.call();
    } catch (FlightRuntimeException e) {
      if (e.status().code() != want) throw new AssertionError("expected " + want + ", got " + e.status().code() + ": " + e.getMessage(), e);
      return;
    } catch (Exception e) {
      throw new AssertionError("expected " + want + ", got " + e, e);
    }
    throw new AssertionError("expected " + want + ", but the call succeeded");
  }

  void close() {
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        // closing after the checks: nothing left to report
      }
    }
  }

  static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      if (ch == '"' || ch == '\\') b.append('\\').append(ch);
      else if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
      else b.append(ch);
    }
    return b.append('"').toString();
  }
}
