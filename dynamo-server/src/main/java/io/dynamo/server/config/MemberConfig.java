package io.dynamo.server.config;

import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;

/** A cluster member as configured: where to reach it and its weight in the ring. */
public record MemberConfig(NodeId id, HostPort peer, HostPort client, int capacity, String zone) {
  public Member toMember() {
    return new Member(id, capacity, zone);
  }
}
