package io.dynamo.core.node;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The properties of every bucket: a default for any validly named bucket, and overrides for named
 * ones.
 */
public record BucketTable(BucketProperties defaults, Map<String, BucketProperties> overrides) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_\\-]{1,64}");

  public BucketTable {
    overrides = Map.copyOf(overrides);
    for (String name : overrides.keySet()) {
      if (!isValidName(name)) {
        throw new IllegalArgumentException("invalid bucket name '" + name + "'");
      }
    }
  }

  public static BucketTable of(BucketProperties defaults) {
    return new BucketTable(defaults, Map.of());
  }

  public static boolean isValidName(String bucket) {
    return NAME.matcher(bucket).matches();
  }

  /** The bucket's properties; the caller has checked the name. */
  public BucketProperties propertiesOf(String bucket) {
    return overrides.getOrDefault(bucket, defaults);
  }
}
