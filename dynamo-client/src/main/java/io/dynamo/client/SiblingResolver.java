package io.dynamo.client;

import java.util.List;

/**
 * Merges concurrent sibling values into one, the application's conflict resolution. Installed on a
 * client, it runs on every get that returns siblings; the caller then sees one value, and writing
 * it back with the returned context replaces the siblings in the store.
 */
@FunctionalInterface
public interface SiblingResolver {
  byte[] resolve(List<byte[]> siblings);
}
