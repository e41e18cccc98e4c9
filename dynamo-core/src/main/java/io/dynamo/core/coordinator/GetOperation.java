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
 * merged for the answer as in a plain quorum read, and once every replica asked answered (or the
 * deadline passed) the merged set is sent to each replica whose record differed (read repair).
 * Repair sends the merged set, which a replica merges into its own, so it never discards a sibling
 * a replica has and the others lack.
 *
 * <p>The first reads go to {@code firstAsked} of the targets (R, or all of them; see {@link
 * ReadPolicy}). The others are spares: one is asked when a replica asked fails, and when the
 * operation's reminder comes due before the answer (a speculative read), so a slow replica costs
 * about one more round trip rather than the timeout.
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
  private final int firstAsked;
  private final ConflictMode mode;
  private final Consumer<Envelope> reply;
  private final BiConsumer<NodeId, SiblingSet> repair;
  private final Runnable speculated;
  private ReadSender sender;

  private final Map<NodeId, Long> digests = new LinkedHashMap<>();
  private final Map<NodeId, SiblingSet> records = new HashMap<>();
  private final Set<NodeId> failed = new HashSet<>();
  /** Replicas asked for the whole record whose answer has not arrived. */
  private final Set<NodeId> awaitingRecord = new HashSet<>();
  private final Set<NodeId> askedForRecord = new HashSet<>();
  /** Every replica sent a read, for its digest or its record. */
  private final Set<NodeId> asked = new HashSet<>();
  private boolean diverged;
  private boolean answered;

  GetOperation(
      long requestId,
      List<NodeId> targets,
      int r,
      int firstAsked,
      ConflictMode mode,
      Consumer<Envelope> reply,
      BiConsumer<NodeId, SiblingSet> repair,
      Runnable speculated) {
    if (firstAsked < Math.min(r, targets.size()) || firstAsked > targets.size()) {
      throw new IllegalArgumentException(
          "firstAsked must be between R and the targets: " + firstAsked + " of " + targets.size());
    }
    this.requestId = requestId;
    this.targets = List.copyOf(targets);
    this.r = r;
    this.firstAsked = firstAsked;
    this.mode = mode;
    this.reply = reply;
    this.repair = repair;
    this.speculated = speculated;
  }

  /**
   * Sends the first reads: the record from {@code dataNode}, digests from the next targets in
   * preference order until {@code firstAsked} replicas are asked.
   */
  void start(NodeId dataNode, ReadSender sender) {
    this.sender = sender;
    askRecord(dataNode);
    for (NodeId node : targets) {
      if (asked.size() >= firstAsked) {
        break;
      }
      if (!asked.contains(node)) {
        askDigest(node);
      }
    }
  }

  /** True while some target has not been asked: a speculative read has a replica to go to. */
  boolean hasSpares() {
    return asked.size() < targets.size();
  }

  /** The speculative read: the answer is late, so one more replica is asked. */
  @Override
  public boolean onReminder() {
    if (!answered && askSpare()) {
      speculated.run();
    }
    return false;
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
      failed(from);
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
      failed(from);
    }
  }

  /** A replica failed: it counts no more, and a spare takes its place while no answer was given. */
  private void failed(NodeId from) {
    failed.add(from);
    digests.remove(from);
    awaitingRecord.remove(from);
    if (!answered) {
      askSpare();
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
      asked.add(node);
      awaitingRecord.add(node);
      sender.read(node, false);
    }
  }

  private void askDigest(NodeId node) {
    asked.add(node);
    sender.read(node, true);
  }

  /**
   * Asks the first target not asked yet, in preference order: for its record when none is in
   * hand or on its way from a replica still counted (the one asked failed), else for its digest.
   * False when every target was asked already.
   */
  private boolean askSpare() {
    for (NodeId node : targets) {
      if (!asked.contains(node)) {
        if (diverged || (records.isEmpty() && awaitingRecord.isEmpty())) {
          askRecord(node);
        } else {
          askDigest(node);
        }
        return true;
      }
    }
    return false;
  }

  /** Every replica asked has answered, with a digest, a record or a failure. */
  private boolean everyoneAnswered() {
    for (NodeId node : asked) {
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
