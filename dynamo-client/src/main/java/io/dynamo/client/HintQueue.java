package io.dynamo.client;

import java.time.Duration;

/** Hints a node holds for a home replica that was down: how many, and the oldest's age. */
public record HintQueue(String target, long count, Duration oldestAge) {}
