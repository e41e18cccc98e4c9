package io.dynamo.bench.ycsb;

import static io.dynamo.bench.ycsb.RecordCodecTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.client.Context;
import io.dynamo.client.DynamoClient;
import io.dynamo.client.GetResult;
import io.dynamo.client.RequestOptions;
import io.dynamo.server.MiniCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.htrace.core.HTraceConfiguration;
import org.apache.htrace.core.Tracer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBWrapper;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;
import site.ycsb.measurements.Measurements;
import site.ycsb.measurements.exporter.TextMeasurementsExporter;
import site.ycsb.workloads.CoreWorkload;

/** The binding against three real in-process nodes (Netty, RocksDB) on loopback, N=3 R=2 W=2. */
class DynamoYcsbClientIT {
  private static final String TABLE = "usertable";

  @TempDir static Path dir;
  static MiniCluster cluster;
  /** Talks to the cluster directly, to look at what the binding stored. */
  static DynamoClient raw;

  DynamoYcsbClient db;

  @BeforeAll
  static void startCluster() {
    cluster = MiniCluster.start(3, dir);
    raw = cluster.client(0);
    // The first writes can meet peers still connecting: wait until one succeeds with W=3.
    for (int attempt = 1; ; attempt++) {
      try {
        raw.put("warmup", utf8("k"), Context.NONE, utf8("v"), new RequestOptions(0, 3, null));
        return;
      } catch (RuntimeException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void openBinding() throws Exception {
    db = binding(Map.of());
  }

  @AfterEach
  void closeBinding() throws Exception {
    db.cleanup();
    assertThat(DynamoYcsbClient.openClients()).isZero();
  }

  @Test
  void insertThenReadAllFieldsOrSome() {
    assertThat(db.insert(TABLE, "user-read", values("field0", "a", "field1", "b", "field2", "c")))
        .isEqualTo(Status.OK);

    Map<String, ByteIterator> all = new HashMap<>();
    assertThat(db.read(TABLE, "user-read", null, all)).isEqualTo(Status.OK);
    assertThat(strings(all)).isEqualTo(Map.of("field0", "a", "field1", "b", "field2", "c"));

    Map<String, ByteIterator> some = new HashMap<>();
    assertThat(db.read(TABLE, "user-read", Set.of("field1", "nosuchfield"), some)).isEqualTo(Status.OK);
    assertThat(strings(some)).isEqualTo(Map.of("field1", "b"));
  }

  @Test
  void aMissingKeyIsNotFound() {
    assertThat(db.read(TABLE, "user-never-written", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
    assertThat(db.delete(TABLE, "user-never-written")).isEqualTo(Status.NOT_FOUND);
  }

  @Test
  void sequentialUpdatesKeepTheOtherFieldsAndLeaveNoSiblings() {
    Map<String, String> expected = new TreeMap<>();
    for (int f = 0; f < 10; f++) {
      expected.put("field" + f, "initial" + f);
    }
    assertThat(db.insert(TABLE, "user-update", StringByteIterator.getByteIteratorMap(expected)))
        .isEqualTo(Status.OK);

    // The shared client sends each request to the next node: reads and writes of one update go
    // through different coordinators, so only the context keeps them ordered.
    for (int i = 0; i < 12; i++) {
      String field = "field" + (i % 3);
      assertThat(db.update(TABLE, "user-update", values(field, "update" + i))).isEqualTo(Status.OK);
      expected.put(field, "update" + i);
    }

    GetResult stored = raw.get(TABLE, utf8("user-update"), RequestOptions.r(3));
    assertThat(stored.values()).as("siblings after sequential updates").hasSize(1);
    assertThat(decoded(stored.value())).isEqualTo(expected);

    Map<String, ByteIterator> read = new HashMap<>();
    assertThat(db.read(TABLE, "user-update", null, read)).isEqualTo(Status.OK);
    assertThat(strings(read)).isEqualTo(expected);
  }

  @Test
  void anUpdateOfAnAbsentKeyWritesJustItsFields() {
    assertThat(db.update(TABLE, "user-upsert", values("field4", "x"))).isEqualTo(Status.OK);
    GetResult stored = raw.get(TABLE, utf8("user-upsert"), RequestOptions.r(3));
    assertThat(stored.values()).hasSize(1);
    assertThat(decoded(stored.value())).isEqualTo(Map.of("field4", "x"));
  }

  @Test
  void readsMergeSiblingsAndAnUpdateReplacesThemWithTheMergedRecord() {
    String key = "user-siblings";
    // Two blind writes through different coordinators: concurrent versions, kept as siblings.
    byte[] first = RecordCodec.encode(bytes(Map.of("field0", "a0", "field1", "a1")));
    byte[] second = RecordCodec.encode(bytes(Map.of("field1", "b1", "field2", "b2")));
    cluster.client(1).put(TABLE, utf8(key), Context.NONE, first, new RequestOptions(0, 3, null));
    cluster.client(2).put(TABLE, utf8(key), Context.NONE, second, new RequestOptions(0, 3, null));
    GetResult before = raw.get(TABLE, utf8(key), RequestOptions.r(3));
    assertThat(before.values()).hasSize(2);

    // The merge rule decides field1: the sibling whose bytes sort highest wins.
    Map<String, String> merged = new TreeMap<>(Map.of("field0", "a0", "field2", "b2"));
    merged.put("field1", java.util.Arrays.compareUnsigned(first, second) > 0 ? "a1" : "b1");
    Map<String, ByteIterator> read = new HashMap<>();
    assertThat(db.read(TABLE, key, null, read)).isEqualTo(Status.OK);
    assertThat(strings(read)).isEqualTo(merged);

    assertThat(db.update(TABLE, key, values("field3", "c3"))).isEqualTo(Status.OK);
    merged.put("field3", "c3");
    GetResult after = raw.get(TABLE, utf8(key), RequestOptions.r(3));
    assertThat(after.values()).as("the update's context covers both siblings").hasSize(1);
    assertThat(decoded(after.value())).isEqualTo(merged);
  }

  @Test
  void deleteRemovesTheRecordAndALaterUpdateStartsAfresh() {
    String key = "user-delete";
    assertThat(db.insert(TABLE, key, values("field0", "a", "field1", "b"))).isEqualTo(Status.OK);
    assertThat(db.delete(TABLE, key)).isEqualTo(Status.OK);

    assertThat(db.read(TABLE, key, null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
    assertThat(db.delete(TABLE, key)).isEqualTo(Status.NOT_FOUND);
    GetResult tombstone = raw.get(TABLE, utf8(key), RequestOptions.r(3));
    assertThat(tombstone.deleted()).isTrue();

    // The update reads the tombstone's context and supersedes it: no stale fields, no siblings.
    assertThat(db.update(TABLE, key, values("field1", "c"))).isEqualTo(Status.OK);
    GetResult stored = raw.get(TABLE, utf8(key), RequestOptions.r(3));
    assertThat(stored.values()).hasSize(1);
    assertThat(decoded(stored.value())).isEqualTo(Map.of("field1", "c"));
  }

  @Test
  void dynamoBucketOverridesTheTableAndQuorumsApplyPerRequest() throws Exception {
    DynamoYcsbClient ycsb = binding(Map.of("dynamo.bucket", "ycsb-bucket", "dynamo.r", "3", "dynamo.w", "3"));
    try {
      assertThat(ycsb.insert(TABLE, "user-bucket", values("field0", "v"))).isEqualTo(Status.OK);
      assertThat(raw.get("ycsb-bucket", utf8("user-bucket"), RequestOptions.DEFAULT).found()).isTrue();
      assertThat(raw.get(TABLE, utf8("user-bucket"), RequestOptions.DEFAULT).found()).isFalse();

      DynamoYcsbClient tooMany = binding(Map.of("dynamo.r", "4"));
      try {
        // R=4 with N=3 is refused by the node; the binding counts it, it does not throw.
        assertThat(tooMany.read(TABLE, "user-read", null, new HashMap<>())).isEqualTo(Status.BAD_REQUEST);
      } finally {
        tooMany.cleanup();
      }
    } finally {
      ycsb.cleanup();
    }
  }

  /**
   * YCSB's core workloads A and F through DBWrapper, as site.ycsb.Client runs them, from four
   * threads at once, with YCSB's data-integrity check: every field value is a function of key and
   * field name, so every read verifies what the binding's read-modify-writes and sibling merges
   * stored.
   */
  @Test
  void coreWorkloadsRunCleanWithDataIntegrityChecks() throws Exception {
    Properties a = workload("workloada");
    Measurements.setProperties(a);
    int records = 300;
    int threads = 4;
    CoreWorkload loadA = new CoreWorkload();
    loadA.init(a);
    runThreads(threads, a, (wrapper, state) -> {
      for (int i = 0; i < records / threads; i++) {
        assertThat(loadA.doInsert(wrapper, state)).isTrue();
      }
    }, loadA);
    runThreads(threads, a, (wrapper, state) -> {
      for (int i = 0; i < 150; i++) {
        assertThat(loadA.doTransaction(wrapper, state)).isTrue();
      }
    }, loadA);
    Properties f = workload("workloadf");
    CoreWorkload runF = new CoreWorkload();
    runF.init(f);
    runThreads(threads, f, (wrapper, state) -> {
      for (int i = 0; i < 150; i++) {
        assertThat(runF.doTransaction(wrapper, state)).isTrue();
      }
    }, runF);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TextMeasurementsExporter exporter = new TextMeasurementsExporter(out);
    Measurements.getMeasurements().exportMeasurements(exporter);
    exporter.close();
    String report = out.toString(StandardCharsets.UTF_8);

    Map<String, Long> returns = new TreeMap<>();
    Matcher m = Pattern.compile("\\[([A-Z-]+)\\], Return=([A-Z_]+), (\\d+)").matcher(report);
    while (m.find()) {
      returns.merge(m.group(1) + "=" + m.group(2), Long.parseLong(m.group(3)), Long::sum);
    }
    assertThat(returns.keySet())
        .as(report)
        .allMatch(k -> k.endsWith("=OK"))
        .contains("INSERT=OK", "READ=OK", "UPDATE=OK", "VERIFY=OK");
    assertThat(returns.get("INSERT=OK")).isEqualTo(records);
    // Every read is verified: A's reads, F's reads and F's read-modify-writes' reads.
    assertThat(returns.get("VERIFY=OK")).isEqualTo(returns.get("READ=OK"));
    assertThat(report).contains("[READ-MODIFY-WRITE], Operations", "[READ], 99.9PercentileLatency(us)");
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** What one YCSB client thread does with its DBWrapper and workload state. */
  private interface ThreadBody {
    void run(DB wrapper, Object state) throws Exception;
  }

  private void runThreads(int threads, Properties p, ThreadBody body, CoreWorkload workload)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (Tracer tracer = new Tracer.Builder("ycsb-it").conf(HTraceConfiguration.EMPTY).build()) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(
            pool.submit(
                () -> {
                  DynamoYcsbClient binding = new DynamoYcsbClient();
                  DBWrapper wrapper = new DBWrapper(binding, tracer);
                  wrapper.setProperties(p);
                  wrapper.init();
                  try {
                    body.run(wrapper, workload.initThread(p, id, threads));
                  } finally {
                    wrapper.cleanup();
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private Properties workload(String name) throws IOException {
    Properties p = WorkloadFilesTest.load(Path.of("workloads", name));
    p.setProperty("recordcount", "300");
    p.setProperty("dataintegrity", "true");
    p.setProperty(DynamoYcsbSettings.NODES, nodes());
    return p;
  }

  private static DynamoYcsbClient binding(Map<String, String> extra) throws Exception {
    Properties p = new Properties();
    p.setProperty(DynamoYcsbSettings.NODES, nodes());
    p.setProperty(DynamoYcsbSettings.TIMEOUT, "20s");
    p.putAll(extra);
    DynamoYcsbClient binding = new DynamoYcsbClient();
    binding.setProperties(p);
    binding.init();
    return binding;
  }

  private static String nodes() {
    List<String> nodes = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      nodes.add(cluster.clientAddress(i));
    }
    return String.join(",", nodes);
  }

  private static Map<String, ByteIterator> values(String... namesAndValues) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      m.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return StringByteIterator.getByteIteratorMap(m);
  }

  private static Map<String, byte[]> bytes(Map<String, String> record) {
    Map<String, byte[]> out = new TreeMap<>();
    record.forEach((k, v) -> out.put(k, utf8(v)));
    return out;
  }

  private static Map<String, String> strings(Map<String, ByteIterator> read) {
    Map<String, String> out = new TreeMap<>();
    read.forEach((k, v) -> out.put(k, v.toString()));
    return out;
  }

  private static Map<String, String> decoded(byte[] value) {
    SortedMap<String, byte[]> record = RecordCodec.decode(value);
    Map<String, String> out = new TreeMap<>();
    record.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
    return out;
  }
}
