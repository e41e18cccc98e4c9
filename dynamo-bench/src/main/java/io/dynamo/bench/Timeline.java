package io.dynamo.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code --timeline FILE}: one JSON object per progress interval, a line each, flushed as written so
 * that a script can follow the run (scripts/pause-run.sh lines its pause up with them).
 */
final class Timeline implements AutoCloseable {
  private static final Timeline NONE = new Timeline(null);

  private final BufferedWriter out;

  private Timeline(BufferedWriter out) {
    this.out = out;
  }

  static Timeline none() {
    return NONE;
  }

  static Timeline open(Path file) throws IOException {
    return new Timeline(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
  }

  void write(Map<String, Object> fields) {
    if (out == null) {
      return;
    }
    StringBuilder b = new StringBuilder();
    JsonText.object(b, fields);
    try {
      out.write(b.append('\n').toString());
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing the timeline failed", e);
    }
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      out.close();
    }
  }
}
