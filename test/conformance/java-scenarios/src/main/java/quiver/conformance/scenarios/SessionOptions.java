package quiver.conformance.scenarios;

import static org.apache.arrow.flight.SessionOptionValueFactory.makeEmptySessionOptionValue;
import static org.apache.arrow.flight.SessionOptionValueFactory.makeSessionOptionValue;

import java.util.Map;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.GetSessionOptionsRequest;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.SessionOptionValue;
import org.apache.arrow.flight.SetSessionOptionsRequest;
import org.apache.arrow.flight.SetSessionOptionsResult;
import org.apache.arrow.flight.SetSessionOptionsResult.ErrorValue;
import org.apache.arrow.flight.client.ClientCookieMiddleware;
import org.apache.arrow.memory.BufferAllocator;

/**
 * session_options, Arrow Java's sequence, on a client of its own with the cookie middleware (the
 * session is the server's cookie): set five options, of which the invalid name and the invalid
 * value are refused with exactly those errors; the other three read back with their types; then
 * one set removes foolong (a value with nothing set) and replaces the string list by a string;
 * the read-back is exactly the two that are left.
 */
final class SessionOptions implements Scenario {
  private static final String[] LIST = {"a", "b", "sea", "dee", " ", "  ", "geee", "(づ｡◕‿‿◕｡)づ"};
  private static final String JOINED = "a,b,sea,dee, ,  ,geee,(づ｡◕‿‿◕｡)づ";

  @Override
  public void run(BufferAllocator allocator, Location location, FlightClient unused) throws Exception {
    try (FlightClient client = FlightClient.builder(allocator, location).intercept(new ClientCookieMiddleware.Factory()).build()) {
      SetSessionOptionsResult first = client.setSessionOptions(new SetSessionOptionsRequest(Map.of(
          "foolong", makeSessionOptionValue(123L),
          "bardouble", makeSessionOptionValue(456.0),
          "lol_invalid", makeSessionOptionValue("this won't get set"),
          "key_with_invalid_value", makeSessionOptionValue("lol_invalid"),
          "big_ol_string_list", makeSessionOptionValue(LIST))));
      Check.equal(Map.of(
              "lol_invalid", new SetSessionOptionsResult.Error(ErrorValue.INVALID_NAME),
              "key_with_invalid_value", new SetSessionOptionsResult.Error(ErrorValue.INVALID_VALUE)),
          first.getErrors(), "SetSessionOptions errors");

      Map<String, SessionOptionValue> stored = client.getSessionOptions(new GetSessionOptionsRequest()).getSessionOptions();
      Check.equal(Map.of(
              "foolong", makeSessionOptionValue(123L),
              "bardouble", makeSessionOptionValue(456.0),
              "big_ol_string_list", makeSessionOptionValue(LIST)),
          stored, "session options after the first set");

      client.setSessionOptions(new SetSessionOptionsRequest(Map.of(
          "foolong", makeEmptySessionOptionValue(),
          "big_ol_string_list", makeSessionOptionValue(JOINED))));
      stored = client.getSessionOptions(new GetSessionOptionsRequest()).getSessionOptions();
      Check.equal(Map.of(
              "bardouble", makeSessionOptionValue(456.0),
              "big_ol_string_list", makeSessionOptionValue(JOINED)),
          stored, "session options after removing foolong and replacing the list by a string");
    }
  }
}
