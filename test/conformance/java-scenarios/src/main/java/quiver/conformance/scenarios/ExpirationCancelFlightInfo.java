package quiver.conformance.scenarios;

import java.nio.charset.StandardCharsets;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.CancelStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/**
 * expiration_time:cancel_flight_info: CancelFlightInfo with the whole FlightInfo answers
 * CANCELLED, and afterwards reading any of its endpoints fails with a Flight error (anywhere in
 * the stream, as Arrow Java's client accepts).
 */
final class ExpirationCancelFlightInfo implements Scenario {
  @Override
  public void run(BufferAllocator allocator, Location location, FlightClient client) {
    FlightInfo info = client.getInfo(FlightDescriptor.command("expiration".getBytes(StandardCharsets.UTF_8)));
    Check.equal(CancelStatus.CANCELLED, client.cancelFlightInfo(new CancelFlightInfoRequest(info)).getStatus(), "CancelFlightInfo status");
    int e = 0;
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      boolean refused = false;
      try (FlightStream stream = client.getStream(endpoint.getTicket())) {
        while (stream.next()) {
          // drain: the failure may come after the schema
        }
      } catch (FlightRuntimeException expected) {
        refused = true;
      } catch (Exception other) {
        throw new Check.Failed("DoGet of cancelled endpoint " + e + " failed with " + other + ", not a Flight error");
      }
      Check.that(refused, "DoGet of endpoint " + e + " must fail after CancelFlightInfo");
      e++;
    }
  }
}
