package io.dynamo.client;

/** One replica copy of a partition changing hands; {@code bytes} is 0 when not estimated. */
public record PlannedMove(int partition, String from, String to, long bytes) {}
