package io.dynamo.core.node;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.Dot;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VectorClock;
import io.dynamo.core.version.Versioned;
import io.dynamo.proto.v1.ClockEntry;
import io.dynamo.proto.v1.Sibling;
import java.util.ArrayList;
import java.util.List;

/** Conversions between the version types and their protobuf messages. */
final class ProtoVersions {
  private ProtoVersions() {}

  static ClockEntry toProto(Dot dot) {
    return ClockEntry.newBuilder()
        .setNode(dot.node().value())
        .setCounter(dot.counter())
        .setTimestampMillis(dot.timestampMillis())
        .build();
  }

  static Dot fromProto(ClockEntry e) {
    return new Dot(NodeId.of(e.getNode()), e.getCounter(), e.getTimestampMillis());
  }

  static io.dynamo.proto.v1.VectorClock toProto(VectorClock clock) {
    io.dynamo.proto.v1.VectorClock.Builder b = io.dynamo.proto.v1.VectorClock.newBuilder();
    for (Dot d : clock.entries()) {
      b.addEntries(toProto(d));
    }
    return b.build();
  }

  static VectorClock fromProto(io.dynamo.proto.v1.VectorClock clock) {
    List<Dot> dots = new ArrayList<>(clock.getEntriesCount());
    for (ClockEntry e : clock.getEntriesList()) {
      dots.add(fromProto(e));
    }
    return VectorClock.of(dots);
  }

  static Sibling toProto(Versioned v) {
    return Sibling.newBuilder()
        .setDot(toProto(v.dot()))
        .setContext(toProto(v.context()))
        .setTombstone(v.tombstone())
        .setValue(ByteString.copyFrom(v.value()))
        .build();
  }

  /** Decodes a sibling received from a peer; throws IllegalArgumentException if malformed. */
  static Versioned fromProto(Sibling s) {
    if (!s.hasDot()) {
      throw new IllegalArgumentException("sibling without a dot");
    }
    return new Versioned(
        fromProto(s.getDot()), fromProto(s.getContext()), s.getTombstone(), s.getValue().toByteArray());
  }

  static List<Sibling> toProto(SiblingSet set) {
    List<Sibling> out = new ArrayList<>(set.versions().size());
    for (Versioned v : set.versions()) {
      out.add(toProto(v));
    }
    return out;
  }

  static SiblingSet fromProto(List<Sibling> siblings) {
    List<Versioned> out = new ArrayList<>(siblings.size());
    for (Sibling s : siblings) {
      out.add(fromProto(s));
    }
    return new SiblingSet(out);
  }
}
