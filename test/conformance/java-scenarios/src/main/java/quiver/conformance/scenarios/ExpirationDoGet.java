package quiver.conformance.scenarios;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.UInt4Vector;

/**
 * expiration_time:do_get: endpoint 0 has no expiration time, the later ones have one; reading
 * every endpoint on this connection yields three batches in all, one uint32 row each: 0, 1, 2.
 */
final class ExpirationDoGet implements Scenario {
  @Override
  public void run(BufferAllocator allocator, Location location, FlightClient client) throws Exception {
    FlightInfo info = client.getInfo(FlightDescriptor.command("expiration_time".getBytes(StandardCharsets.UTF_8)));
    // One entry per batch received: the values of its single column.
    List<List<Object>> batches = new ArrayList<>();
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      // As Arrow Java's client does: the endpoint is judged by how many batches came before it.
      if (batches.isEmpty()) {
        Check.that(endpoint.getExpirationTime().isEmpty(), "endpoints[0] must not have an expiration time");
      } else {
        Check.that(endpoint.getExpirationTime().isPresent(), "endpoints[" + batches.size() + "] must have an expiration time");
      }
      try (FlightStream stream = client.getStream(endpoint.getTicket())) {
        while (stream.next()) {
          FieldVector column = stream.getRoot().getVector(0);
          Check.that(column instanceof UInt4Vector, "the column must be uint32, got " + column.getField());
          List<Object> values = new ArrayList<>();
          for (int row = 0; row < stream.getRoot().getRowCount(); row++) values.add(((UInt4Vector) column).getObject(row));
          batches.add(values);
        }
      }
    }
    Check.equal(3, batches.size(), "number of batches over all endpoints");
    for (int i = 0; i < 3; i++) Check.equal(List.of(i), batches.get(i), "values of batch " + i);
  }
}
