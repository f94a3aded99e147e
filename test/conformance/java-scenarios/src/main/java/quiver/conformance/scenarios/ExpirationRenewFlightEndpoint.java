package quiver.conformance.scenarios;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.RenewFlightEndpointRequest;
import org.apache.arrow.memory.BufferAllocator;

/**
 * expiration_time:renew_flight_endpoint: every endpoint that has an expiration time, renewed,
 * comes back with an expiration time strictly later than before; the others are left alone.
 */
final class ExpirationRenewFlightEndpoint implements Scenario {
  @Override
  public void run(BufferAllocator allocator, Location location, FlightClient client) {
    FlightInfo info = client.getInfo(FlightDescriptor.command("expiration".getBytes(StandardCharsets.UTF_8)));
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      if (endpoint.getExpirationTime().isEmpty()) continue;
      Instant before = endpoint.getExpirationTime().get();
      FlightEndpoint renewed = client.renewFlightEndpoint(new RenewFlightEndpointRequest(endpoint));
      Check.that(renewed.getExpirationTime().isPresent(), "the renewed endpoint must have an expiration time");
      Check.that(renewed.getExpirationTime().get().isAfter(before),
          "the renewed expiration time " + renewed.getExpirationTime().get() + " must be after " + before);
    }
  }
}
