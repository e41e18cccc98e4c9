package io.dynamo.cli;

import io.dynamo.client.DynamoException;
import io.dynamo.client.QuorumUnavailableException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * An error as the CLI reports it: one line on stderr ({@code dynamo: CODE: message}), or with
 * {@code --json} one JSON object there, and an exit status per class of error.
 */
record Failure(int exitCode, String code, String message, Map<String, Object> details) {

  static Failure of(DynamoException e) {
    Map<String, Object> details = new LinkedHashMap<>();
    if (e instanceof QuorumUnavailableException q) {
      details.put("required", q.required());
      details.put("acknowledged", q.acknowledged());
    }
    details.put("retryable", e.isRetryable());
    return new Failure(ExitCode.of(e), e.code(), oneLine(e.getMessage()), details);
  }

  static Failure usage(String message) {
    return new Failure(ExitCode.USAGE, "USAGE", oneLine(message), Map.of());
  }

  static Failure internal(Throwable e) {
    String message =
        e.getMessage() == null
            ? e.getClass().getName()
            : e.getClass().getSimpleName() + ": " + e.getMessage();
    return new Failure(ExitCode.SERVER_ERROR, "INTERNAL", oneLine(message), Map.of());
  }

  /** Prints the error to the command line's stderr; returns the exit status. */
  int print(CommandLine commandLine, boolean json) {
    return print(commandLine.getErr(), json);
  }

  /** Prints the error to {@code err}; returns the exit status. */
  int print(PrintWriter err, boolean json) {
    if (json) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("code", code);
      body.put("message", message);
      body.putAll(details);
      body.put("exitCode", exitCode);
      err.println(Json.write(Map.of("error", body)));
    } else {
      StringBuilder line = new StringBuilder("dynamo: ");
      if (!code.equals("USAGE")) {
        line.append(code).append(": ");
      }
      line.append(message);
      if (details.containsKey("required")) {
        line.append(" (required ").append(details.get("required"))
            .append(", acknowledged ").append(details.get("acknowledged")).append(')');
      }
      err.println(line);
    }
    err.flush();
    return exitCode;
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
