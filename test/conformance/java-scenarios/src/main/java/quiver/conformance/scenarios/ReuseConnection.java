package quiver.conformance.scenarios;

import java.nio.charset.StandardCharsets;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/** location:reuse_connection: one endpoint whose one location is the reuse-connection URI. */
final class ReuseConnection implements Scenario {
  @Override
  public void run(BufferAllocator allocator, Location location, FlightClient client) {
    FlightInfo info = client.getInfo(FlightDescriptor.command("reuse".getBytes(StandardCharsets.UTF_8)));
    Check.equal(1, info.getEndpoints().size(), "number of endpoints");
    Check.equal(1, info.getEndpoints().get(0).getLocations().size(), "number of locations");
    Check.equal(Location.reuseConnection().getUri(), info.getEndpoints().get(0).getLocations().get(0).getUri(), "location URI");
  }
}
