package io.dynamo.client.impl;

/** A node this client sends requests to: its multiplexed connection and its recent health. */
public record Endpoint(String address, NodeConnection connection, NodeHealth health) {}
