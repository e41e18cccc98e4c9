package io.dynamo.core.monitor;

import io.dynamo.core.ring.NodeId;

/** What a node believes of one peer, for metrics. */
public record PeerView(NodeId peer, boolean up, double phi, long transitions) {}
