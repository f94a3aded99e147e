package quiver.conformance.scenarios;

import java.util.Arrays;
import java.util.Objects;

/** Assertions that fail a scenario with a message naming what differed. */
final class Check {
  private Check() {}

  static final class Failed extends RuntimeException {
    Failed(String message) {
      super(message);
    }
  }

  static void that(boolean condition, String rule) {
    if (!condition) throw new Failed(rule);
  }

  static void equal(Object expected, Object actual, String what) {
    if (!Objects.equals(expected, actual)) {
      throw new Failed(what + ": expected " + expected + " but got " + actual);
    }
  }

  static void equalBytes(byte[] expected, byte[] actual, String what) {
    if (!Arrays.equals(expected, actual)) {
      throw new Failed(what + ": expected " + Arrays.toString(expected) + " but got " + Arrays.toString(actual));
    }
  }
}
