package quiver.conformance.scenarios;

import java.nio.charset.StandardCharsets;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/** app_metadata_flight_info_endpoint: the command comes back as the FlightInfo's and its one endpoint's app_metadata. */
final class AppMetadataFlightInfoEndpoint implements Scenario {
  @Override
  public void run(BufferAllocator allocator, Location location, FlightClient client) {
    byte[] command = "foobar".getBytes(StandardCharsets.UTF_8);
    FlightInfo info = client.getInfo(FlightDescriptor.command(command));
    Check.equalBytes(command, info.getAppMetadata(), "FlightInfo.app_metadata");
    Check.equal(1, info.getEndpoints().size(), "number of endpoints");
    Check.equalBytes(command, info.getEndpoints().get(0).getAppMetadata(), "FlightEndpoint.app_metadata");
  }
}
