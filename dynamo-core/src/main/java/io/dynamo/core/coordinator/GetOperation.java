package io.dynamo.core.coordinator;

import com.google.protobuf.ByteString;
import io.dynamo.core.node.Operation;
import io.dynamo.core.node.Replies;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.version.ConflictMode;
import io.dynamo.core.version.MalformedVersionException;
import io.dynamo.core.version.RecordDigest;
import io.dynamo.core.version.SiblingSet;
import io.dynamo.core.version.VersionCodec;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.ReplicaReadResponse;
import io.dynamo.proto.v1.StatusCode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Coordinates a get with digest reads. One replica (this node when it is one) is asked for the
 * stored record, the others only for its digest; when R replicas agree on the digest of a record
 * in hand, that record is the answer, so a get moves one value instead of N. A digest that
 * differs means the replicas diverged: every replica is then read in full, the first R records are
 * merged for the answer as in a plain quorum read, and once every replica answered (or the
 * deadline passed) the merged set is sent to each replica whose record differed (read repair).
 * Repair sends the merged set, which a replica merges into its own, so it never discards a sibling
 * a replica has and the others lack.
 *
 * <p>Availability is that of a plain quorum read: if the replica asked for the record fails or is
 * slow, a record is asked of a replica that agreed instead, so any R answering replicas suffice.
 */
final class GetOperation implements Operation {
  /** Sends a replica read to {@code node}: digest only, or the whole record. */
  interface ReadSender {
    void read(NodeId node, boolean digestOnly);
  }

  private final long requestId;
  private final List<NodeId> targets;
  private final int r;
  private final ConflictMode mode;
  private final Consumer<Envelope> reply;
  private final BiConsumer<NodeId, SiblingSet> repair;
  private ReadSender sender;

  private final Map<NodeId, Long> digests = new LinkedHashMap<>();
  private final Map<NodeId, SiblingSet> records = new HashMap<>();
  private final Set<NodeId> failed = new HashSet<>();
  /** Replicas asked for the whole record whose answer has not arrived. */
  private final Set<NodeId> awaitingRecord = new HashSet<>();
  private final Set<NodeId> askedForRecord = new HashSet<>();
  private boolean diverged;
  private boolean answered;

  GetOperation(
      long requestId,
      List<NodeId> targets,
      int r,
      ConflictMode mode,
      Consumer<Envelope> reply,
      BiConsumer<NodeId, SiblingSet> repair) {
    this.requestId = requestId;
    this.targets = List.copyOf(targets);
    this.r = r;
    this.mode = mode;
    this.reply = reply;
    this.repair = repair;
  }

  /** Sends the first reads: the record from {@code dataNode}, digests from the other targets. */
  void start(NodeId dataNode, ReadSender sender) {
    this.sender = sender;
    askRecord(dataNode);
    for (NodeId node : targets) {
      if (!node.equals(dataNode)) {
        sender.read(node, true);
      }
    }
  }

  @Override
  public boolean onMessage(NodeId from, Envelope message) {
    if (!message.hasReplicaReadResponse() || !targets.contains(from)) {
      return false;
    }
    if (failed.contains(from) || records.containsKey(from)) {
      return false; // a replica that failed once is not counted again; one record per replica
    }
    ReplicaReadResponse response = message.getReplicaReadResponse();
    if (response.getCode() != StatusCode.OK) {
      failed.add(from);
      digests.remove(from);
      awaitingRecord.remove(from);
    } else if (!response.getRecord().isEmpty() || response.getDigest() == RecordDigest.ABSENT) {
      // A whole record; for an absent key a digest answer says as much as a record would.
      awaitingRecord.remove(from);
      accept(from, response.getRecord(), response.getDigest());
    } else {
      digests.putIfAbsent(from, response.getDigest());
    }
    return decide();
  }

  @Override
  public void onTimeout() {
    if (answered) {
      repairStale();
    } else {
      fail();
    }
  }

  /** A whole record, with the digest the replica computed of it beside the read. */
  private void accept(NodeId from, ByteString record, long digest) {
    try {
      byte[] bytes = record.toByteArray();
      SiblingSet set = bytes.length == 0 ? SiblingSet.EMPTY : VersionCodec.decodeSiblings(bytes);
      records.put(from, set);
      digests.put(from, digest);
    } catch (MalformedVersionException e) {
      failed.add(from);
      digests.remove(from);
    }
  }

  /** Moves the read on after an answer; true when the operation is over. */
  private boolean decide() {
    if (!diverged && digestsDiffer()) {
      diverged = true;
      for (NodeId node : targets) {
        if (!failed.contains(node)) {
          askRecord(node);
        }
      }
    }
    if (!answered) {
      if (targets.size() - failed.size() < r) {
        fail();
        return true;
      }
      SiblingSet answer = diverged ? mergedIfEnough() : agreedRecord();
      if (answer == null) {
        if (!diverged) {
          askRecordOfAnAgreeingReplica();
        }
        return false;
      }
      answered = true;
      reply.accept(Replies.envelope(requestId).setGetResponse(Replies.getResponse(answer)).build());
    }
    if (everyoneAnswered() && awaitingRecord.isEmpty()) {
      repairStale();
      return true;
    }
    return false;
  }

  private boolean digestsDiffer() {
    Long first = null;
    for (Long d : digests.values()) {
      if (first == null) {
        first = d;
      } else if (!first.equals(d)) {
        return true;
      }
    }
    return false;
  }

  /** Without divergence: a record that R replicas' digests agree with, or null. */
  private SiblingSet agreedRecord() {
    if (digests.size() < r || records.isEmpty()) {
      return null;
    }
    return records.values().iterator().next();
  }

  /** R replicas agree but none of them sent its record (the one asked failed or is slow). */
  private void askRecordOfAnAgreeingReplica() {
    if (digests.size() < r || !records.isEmpty()) {
      return;
    }
    for (NodeId node : digests.keySet()) {
      if (awaitingRecord.contains(node)) {
        return; // one is on its way
      }
    }
    for (NodeId node : digests.keySet()) {
      if (!askedForRecord.contains(node)) {
        askRecord(node);
        return;
      }
    }
  }

  /** After divergence: the join of R records, or null while fewer arrived. */
  private SiblingSet mergedIfEnough() {
    if (records.size() < r) {
      return null;
    }
    return merged();
  }

  private SiblingSet merged() {
    SiblingSet out = SiblingSet.EMPTY;
    for (SiblingSet set : records.values()) {
      out = out.merge(set, mode);
    }
    return out;
  }

  private void askRecord(NodeId node) {
    if (askedForRecord.add(node)) {
      awaitingRecord.add(node);
      sender.read(node, false);
    }
  }

  private boolean everyoneAnswered() {
    for (NodeId node : targets) {
      if (!failed.contains(node) && !digests.containsKey(node)) {
        return false;
      }
    }
    return true;
  }

  /** Sends the join of every record in hand to each replica whose digest differs from it. */
  private void repairStale() {
    if (!diverged || records.isEmpty()) {
      return;
    }
    SiblingSet merged = merged();
    long digest = RecordDigest.of(merged.isEmpty() ? null : VersionCodec.encodeSiblings(merged));
    for (Map.Entry<NodeId, Long> e : digests.entrySet()) {
      if (e.getValue() != digest) {
        repair.accept(e.getKey(), merged);
      }
    }
  }

  private void fail() {
    reply.accept(Replies.error(requestId, Replies.quorumUnavailable("read", r, digests.size())));
  }
}
