package quiver.conformance.scenarios;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.types.Types.MinorType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * ordered: FlightInfo.ordered is set, three endpoints without locations, read on this connection
 * in order; each is one batch of three non-null int32 values k, 2k, 3k for k = 1, 10, 100.
 */
final class Ordered implements Scenario {
  private static final Schema SCHEMA = new Schema(List.of(Field.notNullable("number", MinorType.INT.getType())));

  @Override
  public void run(BufferAllocator allocator, Location location, FlightClient client) throws Exception {
    FlightInfo info = client.getInfo(FlightDescriptor.command("ordered".getBytes(StandardCharsets.UTF_8)));
    Check.that(info.getOrdered(), "FlightInfo.ordered must be true");
    Check.equal(3, info.getEndpoints().size(), "number of endpoints");
    int[] scales = {1, 10, 100};
    for (int e = 0; e < scales.length; e++) {
      FlightEndpoint endpoint = info.getEndpoints().get(e);
      Check.that(endpoint.getLocations().isEmpty(), "endpoint " + e + " must have no locations");
      try (FlightStream stream = client.getStream(endpoint.getTicket())) {
        Check.equal(SCHEMA, stream.getSchema(), "schema of endpoint " + e);
        Check.that(stream.next(), "endpoint " + e + " must send a batch");
        Check.equal(3, stream.getRoot().getRowCount(), "rows of endpoint " + e);
        IntVector number = (IntVector) stream.getRoot().getVector(0);
        for (int row = 0; row < 3; row++) {
          Check.that(!number.isNull(row), "endpoint " + e + " row " + row + " must be non-null");
          Check.equal((row + 1) * scales[e], number.get(row), "endpoint " + e + " row " + row);
        }
        Check.that(!stream.next(), "endpoint " + e + " must send exactly one batch");
      }
    }
  }
}
