package io.dynamo.bench.ycsb;

import io.dynamo.client.ConnectionException;
import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.InvalidRequestException;
import io.dynamo.client.QuorumUnavailableException;
import io.dynamo.client.RequestOptions;
import io.dynamo.client.RequestTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.Vector;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * A YCSB binding for Dynamo, on the synchronous API of {@link DynamoClient}. YCSB creates one
 * instance per client thread; they share one {@link DynamoClient} per set of connection settings
 * (the client is thread-safe and multiplexes requests over its connections), counted in {@link
 * #init()} and closed by the last {@link #cleanup()}.
 *
 * <p>A record is its field map encoded as one value ({@link RecordCodec}) under the key, in the
 * bucket named by {@code dynamo.bucket}, else the YCSB table. The operations:
 *
 * <ul>
 *   <li>read: a get; siblings are merged ({@link SiblingMerge}); nothing live is {@code
 *       NOT_FOUND}.
 *   <li>insert: a blind put (no context).
 *   <li>update: read-modify-write, the way a Dynamo application writes: get the record and its
 *       context, merge siblings, overlay the updated fields, put with the context read, which
 *       replaces every version read (siblings included). An absent key is written with just the
 *       updated fields, and the context of a deleted key's tombstone if there is one.
 *   <li>delete: a get for the context, then a delete with it; nothing live is {@code NOT_FOUND}.
 *   <li>scan: {@code NOT_IMPLEMENTED}; keys are hash-partitioned, there is no range read.
 * </ul>
 *
 * Errors are returned as statuses (YCSB counts them per operation), never thrown: a timeout is
 * {@code TIMEOUT}, an unmet quorum or unreachable node {@code SERVICE_UNAVAILABLE}, a refused request
 * {@code BAD_REQUEST}, a value that is not a record {@code UNEXPECTED_STATE}, anything else {@code
 * ERROR}. The first error of each kind is logged.
 */
public final class DynamoYcsbClient extends DB {
  /** YCSB has no timeout status of its own. */
  public static final Status TIMEOUT = new Status("TIMEOUT", "The request timed out.");

  private static final Logger log = LoggerFactory.getLogger(DynamoYcsbClient.class);
  private static final Map<ClientKey, Shared> SHARED = new HashMap<>();
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

  private DynamoYcsbSettings settings;
  private ClientKey clientKey;
  private DynamoClient client;
  private RequestOptions options;

  @Override
  public void init() throws DBException {
    DynamoYcsbSettings s;
    try {
      s = DynamoYcsbSettings.from(getProperties());
    } catch (IllegalArgumentException e) {
      throw new DBException(e.getMessage(), e);
    }
    if (client != null) {
      throw new DBException("init() called twice without cleanup()");
    }
    settings = s;
    options = s.requestOptions();
    clientKey = new ClientKey(s.nodes(), s.timeout(), s.ioThreads(), s.serverRouting());
    client = acquire(clientKey);
  }

  @Override
  public void cleanup() throws DBException {
    if (client != null) {
      client = null;
      release(clientKey);
    }
  }

  @Override
  public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    try {
      GetResult found = client.get(settings.bucketFor(table), bytes(key), options);
      if (!found.found()) {
        return Status.NOT_FOUND;
      }
      SortedMap<String, byte[]> record = SiblingMerge.merge(found.values());
      if (fields == null) {
        record.forEach((name, value) -> result.put(name, new ByteArrayByteIterator(value)));
      } else {
        for (String name : fields) {
          byte[] value = record.get(name);
          if (value != null) {
            result.put(name, new ByteArrayByteIterator(value));
          }
        }
      }
      return Status.OK;
    } catch (RuntimeException e) {
      return failed("read", e);
    }
  }

  @Override
  public Status scan(
      String table, String startkey, int recordcount, Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    return Status.NOT_IMPLEMENTED;
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    try {
      String bucket = settings.bucketFor(table);
      byte[] k = bytes(key);
      GetResult found = client.get(bucket, k, options);
      SortedMap<String, byte[]> record =
          found.found() ? SiblingMerge.merge(found.values()) : new TreeMap<>();
      values.forEach((name, value) -> record.put(name, value.toArray()));
      client.put(bucket, k, found.context(), RecordCodec.encode(record), options);
      return Status.OK;
    } catch (RuntimeException e) {
      return failed("update", e);
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    try {
      Map<String, byte[]> record = new TreeMap<>();
      values.forEach((name, value) -> record.put(name, value.toArray()));
      client.put(
          settings.bucketFor(table), bytes(key), Context.NONE,
          RecordCodec.encode(record), options);
      return Status.OK;
    } catch (RuntimeException e) {
      return failed("insert", e);
    }
  }

  @Override
  public Status delete(String table, String key) {
    try {
      String bucket = settings.bucketFor(table);
      byte[] k = bytes(key);
      GetResult found = client.get(bucket, k, options);
      if (!found.found()) {
        return Status.NOT_FOUND;
      }
      client.delete(bucket, k, found.context(), options);
      return Status.OK;
    } catch (RuntimeException e) {
      return failed("delete", e);
    }
  }

  /** The YCSB status of a failed request. */
  static Status statusOf(RuntimeException e) {
    if (e instanceof RequestTimeoutException) {
      return TIMEOUT;
    }
    if (e instanceof QuorumUnavailableException || e instanceof ConnectionException) {
      return Status.SERVICE_UNAVAILABLE;
    }
    if (e instanceof InvalidRequestException) {
      return Status.BAD_REQUEST;
    }
    if (e instanceof MalformedRecordException) {
      return Status.UNEXPECTED_STATE;
    }
    return Status.ERROR;
  }

  private static Status failed(String operation, RuntimeException e) {
    Status status = statusOf(e);
    if (LOGGED.add(operation + "/" + e.getClass().getName())) {
      log.warn("{} failed with {} ({}); further such failures are only counted",
          operation, status.getName(), e.toString());
    }
    return status;
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  // ---- the shared clients ----------------------------------------------------------------------

  /** Number of shared clients open, for tests. */
  static int openClients() {
    synchronized (SHARED) {
      return SHARED.size();
    }
  }

  private static DynamoClient acquire(ClientKey key) throws DBException {
    synchronized (SHARED) {
      Shared shared = SHARED.get(key);
      if (shared == null) {
        DynamoClient.Builder b =
            DynamoClient.builder()
                .timeout(key.timeout())
                .ioThreads(key.ioThreads())
                .routing(key.serverRouting() ? DynamoClient.Routing.SERVER : DynamoClient.Routing.PARTITION_AWARE);
        key.nodes().forEach(b::node);
        try {
          shared = new Shared(b.build());
          if (!key.serverRouting()) {
            // The load is routed as configured from its first request; without a map the
            // client still works, through the configured nodes.
            try {
              shared.client.awaitMap(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        } catch (RuntimeException e) {
          throw new DBException("cannot create the Dynamo client: " + e.getMessage(), e);
        }
        SHARED.put(key, shared);
      }
      shared.references++;
      return shared.client;
    }
  }

  private static void release(ClientKey key) {
    DynamoClient toClose = null;
    synchronized (SHARED) {
      Shared shared = SHARED.get(key);
      if (shared != null && --shared.references == 0) {
        SHARED.remove(key);
        toClose = shared.client;
      }
    }
    if (toClose != null) {
      toClose.close();
    }
  }

  /** What makes two instances able to share a client: the connection settings. */
  private record ClientKey(List<String> nodes, Duration timeout, int ioThreads, boolean serverRouting) {}

  private static final class Shared {
    final DynamoClient client;
    int references;

    Shared(DynamoClient client) {
      this.client = client;
    }
  }
}
