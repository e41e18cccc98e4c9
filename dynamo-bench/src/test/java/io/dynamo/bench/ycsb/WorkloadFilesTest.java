package io.dynamo.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import site.ycsb.measurements.OneMeasurementHdrHistogram;
import site.ycsb.measurements.exporter.TextMeasurementsExporter;

/**
 * The workload files in {@code dynamo-bench/workloads} (what scripts/ycsb.sh runs), and YCSB's
 * HdrHistogram measurement on the HdrHistogram version this project uses rather than YCSB's own.
 */
class WorkloadFilesTest {
  /** The standard core workload mixes: read, update, read-modify-write proportions. */
  private static final Map<String, double[]> MIXES =
      Map.of(
          "workloada", new double[] {0.5, 0.5, 0},
          "workloadb", new double[] {0.95, 0.05, 0},
          "workloadc", new double[] {1, 0, 0},
          "workloadf", new double[] {0.5, 0, 0.5});

  static final Path WORKLOADS = Path.of("workloads");

  @ParameterizedTest
  @ValueSource(strings = {"workloada", "workloadb", "workloadc", "workloadf"})
  void eachFileDefinesTheStandardMixOnTheBinding(String name) throws IOException {
    Properties p = load(WORKLOADS.resolve(name));
    double[] mix = MIXES.get(name);
    assertThat(p.getProperty("workload")).isEqualTo("site.ycsb.workloads.CoreWorkload");
    assertThat(p.getProperty("db")).isEqualTo(DynamoYcsbClient.class.getName());
    assertThat(Double.parseDouble(p.getProperty("readproportion"))).isEqualTo(mix[0]);
    assertThat(Double.parseDouble(p.getProperty("updateproportion"))).isEqualTo(mix[1]);
    assertThat(Double.parseDouble(p.getProperty("readmodifywriteproportion"))).isEqualTo(mix[2]);
    assertThat(Double.parseDouble(p.getProperty("scanproportion"))).isZero();
    assertThat(Double.parseDouble(p.getProperty("insertproportion"))).isZero();
    assertThat(p.getProperty("requestdistribution")).isEqualTo("zipfian");
    assertThat(p.getProperty("recordcount")).isEqualTo("100000");
    assertThat(p.getProperty("fieldcount")).isEqualTo("10");
    assertThat(p.getProperty("fieldlength")).isEqualTo("100");
    assertThat(p.getProperty("measurementtype")).isEqualTo("hdrhistogram");
    assertThat(p.getProperty("hdrhistogram.percentiles")).isEqualTo("50,99,99.9");
  }

  @Test
  void thereAreNoOtherWorkloadFiles() throws IOException {
    try (Stream<Path> files = Files.list(WORKLOADS)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(MIXES.keySet());
    }
  }

  @Test
  void hdrHistogramMeasurementReportsTheConfiguredPercentilesAndWritesItsLog(@TempDir Path dir)
      throws IOException {
    Properties p = load(WORKLOADS.resolve("workloada"));
    p.setProperty("hdrhistogram.fileoutput", "true");
    p.setProperty("hdrhistogram.output.path", dir.toString() + "/");
    OneMeasurementHdrHistogram read = new OneMeasurementHdrHistogram("READ", p);
    for (int us = 1; us <= 10_000; us++) {
      read.measure(us);
    }
    assertThat(read.getSummary()).contains("Avg=");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TextMeasurementsExporter exporter = new TextMeasurementsExporter(out);
    read.exportMeasurements(exporter);
    exporter.close();
    String text = out.toString(StandardCharsets.UTF_8);

    assertThat(text).contains("[READ], Operations, 10000");
    assertThat(percentile(text, "50th")).isBetween(4_990L, 5_010L);
    assertThat(percentile(text, "99th")).isBetween(9_890L, 9_910L);
    assertThat(percentile(text, "99.9")).isBetween(9_980L, 10_000L);
    // The interval log, written through HistogramLogWriter (YCSB was built against 2.1.4).
    Path log = dir.resolve("READ.hdr");
    assertThat(log).exists();
    assertThat(Files.readString(log)).contains("#[Histogram log format version");
  }

  private static long percentile(String export, String label) {
    String prefix = "[READ], " + label + "PercentileLatency(us), ";
    return export
        .lines()
        .filter(l -> l.startsWith(prefix))
        .mapToLong(l -> Long.parseLong(l.substring(prefix.length()).trim()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no '" + prefix + "' in:\n" + export));
  }

  static Properties load(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return p;
  }
}
