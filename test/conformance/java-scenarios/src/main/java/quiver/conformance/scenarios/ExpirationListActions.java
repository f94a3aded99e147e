package quiver.conformance.scenarios;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightConstants;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/** expiration_time:list_actions: exactly CancelFlightInfo then RenewFlightEndpoint. */
final class ExpirationListActions implements Scenario {
  @Override
  public void run(BufferAllocator allocator, Location location, FlightClient client) {
    List<String> types = new ArrayList<>();
    for (ActionType action : client.listActions()) types.add(action.getType());
    Check.equal(List.of(FlightConstants.CANCEL_FLIGHT_INFO.getType(), FlightConstants.RENEW_FLIGHT_ENDPOINT.getType()), types, "listed action types");
  }
}
