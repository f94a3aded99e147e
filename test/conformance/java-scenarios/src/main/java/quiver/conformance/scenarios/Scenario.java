package quiver.conformance.scenarios;

import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/** The client side of one Flight integration scenario: throws when the server breaks a rule. */
interface Scenario {
  /**
   * @param client connected to {@code location}; a scenario that needs client middleware builds
   *     its own client to the same location
   */
  void run(BufferAllocator allocator, Location location, FlightClient client) throws Exception;
}
