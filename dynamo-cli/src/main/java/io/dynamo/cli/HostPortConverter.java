package io.dynamo.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Checks {@code HOST:PORT}. */
final class HostPortConverter implements ITypeConverter<String> {
  @Override
  public String convert(String value) {
    try {
      return check(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  static String check(String value) {
    String v = value.trim();
    int colon = v.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected HOST:PORT, got '" + value + "'");
    }
    int port;
    try {
      port = Integer.parseInt(v.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("invalid port in '" + value + "'");
    }
    return v;
  }
}
