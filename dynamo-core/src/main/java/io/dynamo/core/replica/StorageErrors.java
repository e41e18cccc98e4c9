package io.dynamo.core.replica;

import io.dynamo.core.storage.DataKey;
import io.dynamo.core.storage.LocalReplica;
import io.dynamo.core.storage.StorageException;
import io.dynamo.proto.v1.StatusCode;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How storage work that failed is logged and answered. */
public final class StorageErrors {
  private static final Logger log = LoggerFactory.getLogger(StorageErrors.class);

  private StorageErrors() {}

  /**
   * A storage engine's own failure (a disk error, a corrupt record) is the environment's, and its
   * message says it: no stack trace. Anything else escaping storage work is a bug: with one.
   */
  public static void log(String what, DataKey key, Throwable error) {
    if (error instanceof StorageException) {
      log.error("{} of {} failed: {}", what, key, error.getMessage());
    } else {
      log.error("{} of {} failed", what, key, error);
    }
  }

  /**
   * The answer for storage work that failed: a full storage queue is overload (nothing was done,
   * and it is no fault of the disk's), anything else a storage error worth a log line.
   */
  static StatusCode code(Throwable error, String what, DataKey key, LocalReplica replica) {
    if (error instanceof RejectedExecutionException) {
      return StatusCode.OVERLOADED;
    }
    log(what, key, error);
    replica.recordFailure(what, error);
    return StatusCode.STORAGE_ERROR;
  }
}
