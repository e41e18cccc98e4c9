package io.dynamo.bench.sampler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** A process's state and resident set size, from /proc (Linux). */
enum ProcState {
  RUNNING,
  /** Stopped by SIGSTOP (state T): it holds its sockets but runs nothing. */
  PAUSED,
  /** No such process. */
  GONE;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  static ProcState of(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return GONE;
    }
    return parseStat(stat);
  }

  /** The state from a /proc/PID/stat line: the field after the command name in parentheses. */
  static ProcState parseStat(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0 || close + 2 >= stat.length()) {
      return GONE;
    }
    return switch (stat.charAt(close + 2)) {
      case 'T', 't' -> PAUSED;
      case 'Z', 'X', 'x' -> GONE;
      default -> RUNNING;
    };
  }

  /** Resident set size in bytes, or -1. */
  static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return parseKilobytes(line.substring("VmRSS:".length())) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return MemorySample.UNKNOWN;
    }
    return MemorySample.UNKNOWN;
  }

  private static long parseKilobytes(String field) {
    String s = field.trim();
    int space = s.indexOf(' ');
    return Long.parseLong(space < 0 ? s : s.substring(0, space));
  }
}
