package io.dynamo.core.antientropy;

import com.google.protobuf.ByteString;
import io.dynamo.core.ring.NodeId;
import io.dynamo.core.runtime.Scheduler;
import io.dynamo.proto.v1.AeFetchRequest;
import io.dynamo.proto.v1.AeKeyDigest;
import io.dynamo.proto.v1.AeKeysRequest;
import io.dynamo.proto.v1.AeKeysResponse;
import io.dynamo.proto.v1.AeRecord;
import io.dynamo.proto.v1.AeRecords;
import io.dynamo.proto.v1.AeRecordsAck;
import io.dynamo.proto.v1.AeTreeRequest;
import io.dynamo.proto.v1.AeTreeResponse;
import io.dynamo.proto.v1.Envelope;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * One exchange of one partition between this node (the initiator) and one other owner: compare
 * roots, then the branches that differ, then their segments; compare those segments again after a
 * delay and keep only the ones that still differ; fetch the digests of the keys in them from both
 * sides; send this node's records of the keys that differ and fetch the peer's, each side merging
 * with the version rules. Runs on the protocol thread; every wait for the peer has a timeout.
 */
final class Exchange {
  /** How an exchange ended. */
  record Result(
      boolean completed, long keysCompared, long keysRepaired, long bytesSent, boolean more,
      String detail) {}

  private enum Step { ROOT, SEGMENTS, CONFIRM, KEYS, REPAIR, DONE }

  private final AntiEntropyService service;
  final long id;
  final int partition;
  final NodeId peer;
  private final Consumer<Result> onDone;
  private Step step = Step.ROOT;
  private Scheduler.Cancellable timer;
  private List<Integer> suspects = List.of();
  private long keysCompared;
  private long keysRepaired;
  private long bytesSent;
  /** Keys whose records are still to be fetched from the peer. */
  private final Set<ByteBuffer> toFetch = new LinkedHashSet<>();
  private final Set<ByteBuffer> fetching = new LinkedHashSet<>();
  private int pushesUnacked;
  /** Whether this node's records to push are being read (the pushes are not counted yet). */
  private boolean pushReading;
  private boolean fetchMerging;
  /** Whether a tree or keys request is out and its answer not yet handled. */
  private boolean awaiting;
  /** Whether differences were left for another round (the segment or key cap was reached). */
  private boolean more;
  /** Only send this node's records, never fetch (see {@link #startPushOnly}). */
  private boolean pushOnly;
  /** Records the peer acknowledged but could not merge (its storage refused them). */
  private long pushesFailed;

  Exchange(AntiEntropyService service, long id, int partition, NodeId peer, Consumer<Result> onDone) {
    this.service = service;
    this.id = id;
    this.partition = partition;
    this.peer = peer;
    this.onDone = onDone;
  }

  /**
   * Starts a push-only exchange instead: this node does not own the partition (a substitute's or
   * an old owner's copy), so there is no tree to compare; it compares the digests of its keys in
   * {@code segments} with the owner's and sends the records the owner lacks or holds differently.
   * It never fetches.
   */
  void startPushOnly(List<Integer> segments) {
    pushOnly = true;
    suspects = List.copyOf(segments);
    step = Step.KEYS;
    send(Envelope.newBuilder().setAeKeysRequest(
        AeKeysRequest.newBuilder().setExchangeId(id).setPartition(partition)
            .addAllSegments(suspects)));
  }

  void start() {
    HashTree local = service.trees().copy(partition);
    if (local == null) {
      finish(false, "no local tree yet");
      return;
    }
    send(Envelope.newBuilder().setAeTreeRequest(
        AeTreeRequest.newBuilder().setExchangeId(id).setPartition(partition).setRoot(local.root())));
  }

  void onTreeResponse(AeTreeResponse r) {
    if (!awaiting || (step != Step.ROOT && step != Step.SEGMENTS && step != Step.CONFIRM)) {
      return;
    }
    awaiting = false;
    if (r.getStatus() != AeTreeResponse.Status.OK) {
      finish(false, "peer answered " + r.getStatus());
      return;
    }
    HashTree local = service.trees().copy(partition);
    if (local == null) {
      finish(false, "local tree dropped");
      return;
    }
    switch (step) {
      case ROOT -> {
        if (r.getBranchesCount() != 0) {
          finish(false, peer + " answered another request (branches " + r.getBranchesList() + ")");
          return;
        }
        if (r.getRoot() == local.root()) {
          finish(true, "equal");
          return;
        }
        if (r.getHashesCount() != HashTree.BRANCHES) {
          // The roots matched when the peer answered and differ now: a write in flight.
          finish(true, "equal when compared");
          return;
        }
        List<Integer> branches = HashTree.differing(local.branches(), toArray(r.getHashesList()));
        if (branches.isEmpty()) {
          finish(true, "equal branches");
          return;
        }
        step = Step.SEGMENTS;
        askSegments(branches);
      }
      case SEGMENTS, CONFIRM -> {
        List<Integer> branches = lastAskedBranches;
        if (!r.getBranchesList().equals(branches)) {
          finish(false, peer + " answered another request (branches " + r.getBranchesList() + ")");
          return;
        }
        if (r.getHashesCount() != branches.size() * HashTree.SEGMENTS_PER_BRANCH) {
          finish(false, "peer sent " + r.getHashesCount() + " segment hashes");
          return;
        }
        List<Integer> differ = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) {
          int b = branches.get(i);
          long[] mine = local.segmentsOf(b);
          for (int j = 0; j < HashTree.SEGMENTS_PER_BRANCH; j++) {
            if (mine[j] != r.getHashes(i * HashTree.SEGMENTS_PER_BRANCH + j)) {
              differ.add(b * HashTree.SEGMENTS_PER_BRANCH + j);
            }
          }
        }
        if (step == Step.SEGMENTS) {
          if (differ.isEmpty()) {
            finish(true, "equal segments");
            return;
          }
          suspects = differ;
          step = Step.CONFIRM;
          cancelTimer();
          timer = service.scheduler().schedule(service.settings().confirmDelayMillis(), () -> {
            if (step == Step.CONFIRM) {
              askSegments(branchesOf(suspects));
            }
          });
        } else {
          Set<Integer> still = new TreeSet<>(differ);
          still.retainAll(suspects);
          if (still.isEmpty()) {
            finish(true, "differences were writes in flight");
            return;
          }
          List<Integer> confirmed = new ArrayList<>(still);
          if (confirmed.size() > AntiEntropySettings.MAX_SEGMENTS_PER_REQUEST) {
            confirmed = confirmed.subList(0, AntiEntropySettings.MAX_SEGMENTS_PER_REQUEST);
            more = true;
          }
          suspects = confirmed;
          step = Step.KEYS;
          send(Envelope.newBuilder().setAeKeysRequest(
              AeKeysRequest.newBuilder().setExchangeId(id).setPartition(partition)
                  .addAllSegments(confirmed)));
        }
      }
      default -> { }
    }
  }

  private List<Integer> lastAskedBranches = List.of();

  private void askSegments(List<Integer> branches) {
    lastAskedBranches = branches;
    send(Envelope.newBuilder().setAeTreeRequest(
        AeTreeRequest.newBuilder().setExchangeId(id).setPartition(partition)
            .addAllBranches(branches)));
  }

  private static List<Integer> branchesOf(List<Integer> segments) {
    TreeSet<Integer> out = new TreeSet<>();
    for (int s : segments) {
      out.add(HashTree.branchOf(s));
    }
    return new ArrayList<>(out);
  }

  void onKeysResponse(AeKeysResponse r) {
    if (!awaiting || step != Step.KEYS) {
      return;
    }
    awaiting = false;
    if (r.getStatus() != AeTreeResponse.Status.OK) {
      finish(false, "peer answered keys with " + r.getStatus());
      return;
    }
    Map<ByteBuffer, Long> theirs = new HashMap<>();
    java.util.Set<Integer> asked = new java.util.HashSet<>(suspects);
    for (AeKeyDigest d : r.getKeysList()) {
      byte[] key = d.getKey().toByteArray();
      if (key.length <= 5 || PartitionTrees.partitionOf(key) != partition
          || !asked.contains(KeyHashes.segmentOf(key))) {
        finish(false, peer + " sent a key outside the partition or the segments asked for");
        return;
      }
      theirs.put(ByteBuffer.wrap(key), d.getDigest());
    }
    step = Step.REPAIR;
    cancelTimer();
    timer = service.scheduler().schedule(service.settings().stepTimeoutMillis(), this::timedOut);
    service.localDigests(partition, suspects, (mine, error) -> {
      if (step != Step.REPAIR) {
        return;
      }
      if (error != null) {
        finish(false, "local scan failed: " + error);
        return;
      }
      compare(mine, theirs);
    });
  }

  private void compare(Map<ByteBuffer, Long> mine, Map<ByteBuffer, Long> theirs) {
    Set<ByteBuffer> keys = new LinkedHashSet<>(mine.keySet());
    keys.addAll(theirs.keySet());
    keysCompared = keys.size();
    List<byte[]> push = new ArrayList<>();
    for (ByteBuffer k : keys) {
      Long a = mine.get(k);
      Long b = theirs.get(k);
      if ((a != null && a.equals(b)) || (pushOnly && a == null)) {
        continue;
      }
      if (keysRepaired >= service.settings().maxKeysPerExchange()) {
        more = true;
        break;
      }
      keysRepaired++;
      if (a != null) {
        push.add(k.array());
      }
      if (b != null && !pushOnly) {
        toFetch.add(k);
      }
    }
    if (push.isEmpty() && toFetch.isEmpty()) {
      finish(true, "no key differs");
      return;
    }
    if (!push.isEmpty()) {
      pushReading = true;
      service.readRecords(partition, push, (records, error) -> {
        pushReading = false;
        if (step != Step.REPAIR) {
          return;
        }
        if (error != null) {
          finish(false, "reading records failed: " + error);
          return;
        }
        int read = 0;
        for (AeRecords batch : records) {
          read += batch.getRecordsCount();
        }
        if (read < push.size()) {
          more = true; // the byte cap of one exchange's pushes was reached
        }
        for (AeRecords batch : records) {
          pushesUnacked++;
          send(Envelope.newBuilder().setAeRecords(batch.toBuilder().setExchangeId(id)));
        }
        maybeDone();
      });
    }
    fetchMore();
  }

  private void fetchMore() {
    if (!fetching.isEmpty() || toFetch.isEmpty()) {
      maybeDone();
      return;
    }
    AeFetchRequest.Builder req = AeFetchRequest.newBuilder().setExchangeId(id).setPartition(partition);
    var it = toFetch.iterator();
    while (it.hasNext() && fetching.size() < AntiEntropySettings.MAX_KEYS_PER_FETCH) {
      ByteBuffer k = it.next();
      it.remove();
      fetching.add(k);
      req.addKeys(ByteString.copyFrom(k.array()));
    }
    send(Envelope.newBuilder().setAeFetchRequest(req));
  }

  void onFetched(AeRecords r) {
    if (step != Step.REPAIR || fetching.isEmpty() || fetchMerging) {
      return;
    }
    List<AeRecord> records = new ArrayList<>();
    for (AeRecord rec : r.getRecordsList()) {
      ByteBuffer k = ByteBuffer.wrap(rec.getKey().toByteArray());
      if (fetching.remove(k)) {
        records.add(rec);
      }
    }
    if (records.isEmpty()) {
      // An honest peer answers at least one key it was asked for; anything else never ends.
      finish(false, peer + " answered a fetch with none of the keys asked for");
      return;
    }
    // Keys the peer left out (its byte budget) are asked for again.
    toFetch.addAll(fetching);
    fetching.clear();
    fetchMerging = true;
    service.mergeRecords(partition, records, (merged, error) -> {
      fetchMerging = false;
      if (step != Step.REPAIR) {
        return;
      }
      if (error != null) {
        finish(false, "merging fetched records failed: " + error);
        return;
      }
      fetchMore();
    });
  }

  void onAck(AeRecordsAck ack) {
    if (step != Step.REPAIR || pushesUnacked == 0) {
      return;
    }
    pushesUnacked--;
    pushesFailed += ack.getFailed();
    maybeDone();
  }

  private void maybeDone() {
    if (step == Step.REPAIR && !pushReading && pushesUnacked == 0 && toFetch.isEmpty()
        && fetching.isEmpty() && !fetchMerging) {
      if (pushesFailed > 0) {
        // Not repaired: the next exchange tries again, and a copy handed over is not deleted.
        finish(false, peer + " could not merge " + pushesFailed + " records");
      } else {
        finish(true, "repaired " + keysRepaired + " keys");
      }
    }
  }

  private void send(Envelope.Builder message) {
    cancelTimer();
    awaiting = step != Step.REPAIR;
    Envelope e = message.build();
    bytesSent += e.getSerializedSize();
    // A message held back by the byte budget leaves later: the wait starts when it does.
    long delay = service.sendToPeer(peer, e);
    timer = service.scheduler().schedule(
        delay + service.settings().stepTimeoutMillis(), this::timedOut);
  }

  private void timedOut() {
    timer = null;
    if (step != Step.DONE) {
      finish(false, "timed out waiting for " + peer + " at " + step);
    }
  }

  /** Ends the exchange early (the node is closing, or the partition changed hands). */
  void abort(String why) {
    if (step != Step.DONE) {
      finish(false, why);
    }
  }

  private void finish(boolean completed, String detail) {
    step = Step.DONE;
    cancelTimer();
    onDone.accept(new Result(completed, keysCompared, keysRepaired, bytesSent, completed && more, detail));
  }

  boolean done() {
    return step == Step.DONE;
  }

  boolean pushOnly() {
    return pushOnly;
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  private static long[] toArray(List<Long> values) {
    long[] out = new long[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
