package quiver.conformance.scenarios;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * quiver's Java scenario client, against Arrow Java's Flight libraries (flight-core, and flight-sql's
 * FlightSqlClient for the flight_sql* scenarios): the scenarios
 * the Arrow project's published Java integration client (flight-core 6.0.1) lacks, with the checks
 * of Arrow Java main's scenario classes. Flags as that client's: -host H -port P -scenario NAME.
 * Exit status 0 when the scenario passed; otherwise the last line of stderr says why.
 */
public final class ScenarioClient {
  private static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

  static {
    SCENARIOS.put("ordered", new Ordered());
    SCENARIOS.put("expiration_time:do_get", new ExpirationDoGet());
    SCENARIOS.put("expiration_time:list_actions", new ExpirationListActions());
    SCENARIOS.put("expiration_time:cancel_flight_info", new ExpirationCancelFlightInfo());
    SCENARIOS.put("expiration_time:renew_flight_endpoint", new ExpirationRenewFlightEndpoint());
    SCENARIOS.put("location:reuse_connection", new ReuseConnection());
    SCENARIOS.put("session_options", new SessionOptions());
    SCENARIOS.put("poll_flight_info", new PollFlightInfo());
    SCENARIOS.put("app_metadata_flight_info_endpoint", new AppMetadataFlightInfoEndpoint());
    SCENARIOS.put("do_exchange:echo", new DoExchangeEcho());
    SCENARIOS.put("flight_sql", new FlightSqlBase());
    SCENARIOS.put("flight_sql:extension", new FlightSqlExtension());
    SCENARIOS.put("flight_sql:ingestion", new FlightSqlIngestion());
  }

  private ScenarioClient() {}

  public static void main(String[] args) {
    // -list: the scenarios this client has, one a line (the runner's table is checked against it).
    if (args.length == 1 && args[0].equals("-list")) {
      System.out.println(String.join("\n", SCENARIOS.keySet()));
      return;
    }
    String host = "localhost";
    int port = 31337;
    String name = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "-host": host = args[i + 1]; break;
        case "-port": port = Integer.parseInt(args[i + 1]); break;
        case "-scenario": name = args[i + 1]; break;
        default: usage("unknown flag " + args[i]);
      }
    }
    if (args.length % 2 != 0) usage("every flag takes a value");
    if (name == null) usage("-scenario is required");
    Scenario scenario = SCENARIOS.get(name);
    if (scenario == null) usage("no such scenario: " + name + " (have: " + String.join(", ", SCENARIOS.keySet()) + ")");
    Location location = Location.forGrpcInsecure(host, port);
    try (BufferAllocator allocator = new RootAllocator(Long.MAX_VALUE);
        FlightClient client = FlightClient.builder(allocator, location).build()) {
      scenario.run(allocator, location, client);
    } catch (Throwable t) {
      t.printStackTrace();
      System.err.println("scenario " + name + " failed: " + t.getClass().getSimpleName() + ": " + t.getMessage());
      System.exit(1);
    }
    System.exit(0);
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println("usage: ScenarioClient -host H -port P -scenario NAME");
    System.exit(2);
  }
}
