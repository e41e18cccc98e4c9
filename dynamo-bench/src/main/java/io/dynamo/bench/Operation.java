package io.dynamo.bench;

import java.util.Locale;

/** The operations the load generator measures, each with its own histogram. */
enum Operation {
  GET,
  PUT;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
