package io.dynamo.core.cluster;

import io.dynamo.proto.v1.Envelope;

/**
 * Sends a one-way message to a seed known only by its "host:port" peer address, for a node that
 * knows no member yet. The server opens (or reuses) a peer connection to the address, sends its
 * hello and then the message; the seed answers through its {@link
 * io.dynamo.core.runtime.PeerSink} by node id, having learnt the sender's address from the entry
 * the message carries. Best effort, like every peer message.
 */
@FunctionalInterface
public interface SeedSink {
  void send(String address, Envelope message);
}
