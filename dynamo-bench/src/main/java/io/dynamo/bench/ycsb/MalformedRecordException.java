package io.dynamo.bench.ycsb;

/** A stored value that is not a record in {@link RecordCodec}'s format. */
public final class MalformedRecordException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MalformedRecordException(String message) {
    super(message);
  }
}
