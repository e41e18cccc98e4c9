package io.dynamo.cli;

import io.dynamo.client.Context;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A context in the text form printed by get, put and delete. */
final class ContextConverter implements ITypeConverter<Context> {
  @Override
  public Context convert(String value) {
    try {
      return Context.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(
          "not a context (expected the base64 text printed by get, put or delete): '"
              + value
              + "'");
    }
  }
}
