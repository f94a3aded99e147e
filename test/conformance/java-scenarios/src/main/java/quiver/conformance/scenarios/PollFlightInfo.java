package quiver.conformance.scenarios;

import java.nio.charset.StandardCharsets;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.PollInfo;
import org.apache.arrow.memory.BufferAllocator;

/**
 * poll_flight_info: the first poll is running (info, progress in [0, 1], expiration time and the
 * descriptor to poll next); polling that descriptor is finished (info, progress 1.0 within one
 * ulp, neither expiration time nor descriptor).
 */
final class PollFlightInfo implements Scenario {
  @Override
  public void run(BufferAllocator allocator, Location location, FlightClient client) {
    PollInfo running = client.pollInfo(FlightDescriptor.command("heavy query".getBytes(StandardCharsets.UTF_8)));
    Check.that(running.getFlightInfo() != null, "the first PollInfo must carry a FlightInfo");
    Check.that(running.getProgress().isPresent(), "the first PollInfo must carry progress");
    double progress = running.getProgress().get();
    Check.that(progress >= 0.0 && progress <= 1.0, "progress must be within [0, 1], got " + progress);
    Check.that(running.getExpirationTime().isPresent(), "the first PollInfo must carry an expiration time");
    Check.that(running.getFlightDescriptor().isPresent(), "the first PollInfo must carry the descriptor to poll next");

    PollInfo done = client.pollInfo(running.getFlightDescriptor().get());
    Check.that(done.getFlightInfo() != null, "the finished PollInfo must carry a FlightInfo");
    Check.that(done.getProgress().isPresent(), "the finished PollInfo must carry progress");
    Check.that(Math.abs(done.getProgress().get() - 1.0) < Math.ulp(1.0), "finished progress must be 1.0, got " + done.getProgress().get());
    Check.that(done.getExpirationTime().isEmpty(), "the finished PollInfo must have no expiration time");
    Check.that(done.getFlightDescriptor().isEmpty(), "the finished PollInfo must have no descriptor");
  }
}
