package io.dynamo.server.dashboard;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;

/**
 * Debian's Chromium, headless, driven over the Chrome DevTools Protocol with the JDK's own
 * WebSocket client: enough to open a page, evaluate JavaScript in it and take a screenshot.
 * Tests skip when {@link #available()} is false. Closing kills the browser and its children.
 */
public final class HeadlessChromium implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  private HeadlessChromium(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static boolean available() {
    return Files.isExecutable(BINARY);
  }

  /**
   * Starts the browser with a fresh profile in {@code dir} and waits for its DevTools port. The
   * flags keep it off the network (this machine's is closed) and out of the sandbox (tests run as
   * root); its output goes to {@code dir/chromium.log}.
   */
  public static HeadlessChromium launch(Path dir) throws IOException {
    Path profile = dir.resolve("profile");
    Files.createDirectories(profile);
    Process p =
        new ProcessBuilder(
                BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("chromium.log").toFile())
            .start();
    try {
      // Chromium writes the port it chose, then the browser target's path, once it listens.
      Path activePort = profile.resolve("DevToolsActivePort");
      Awaitility.await("Chromium's DevToolsActivePort (log: " + dir.resolve("chromium.log") + ")")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            if (!p.isAlive()) {
              throw new IllegalStateException("Chromium exited with " + p.exitValue());
            }
            return Files.exists(activePort) && Files.readAllLines(activePort).size() >= 2;
          });
      int port = Integer.parseInt(Files.readAllLines(activePort).get(0).trim());
      return new HeadlessChromium(p, port);
    } catch (RuntimeException | IOException e) {
      kill(p);
      throw e;
    }
  }

  /** Opens a new tab on {@code url} and waits for its load event. */
  public Page open(String url, int width, int height) throws Exception {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/new?about:blank"))
            .PUT(HttpRequest.BodyPublishers.noBody())
            .timeout(CALL_TIMEOUT)
            .build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("DevTools /json/new answered " + r.statusCode() + ": " + r.body());
    }
    String ws = (String) MiniJson.at(MiniJson.parse(r.body()), "webSocketDebuggerUrl");
    Page page = new Page(http, URI.create(ws));
    try {
      page.call("Page.enable", Map.of());
      page.call("Emulation.setDeviceMetricsOverride",
          Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
      CompletableFuture<Void> loaded = page.event("Page.loadEventFired");
      page.call("Page.navigate", Map.of("url", url));
      loaded.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return page;
    } catch (Exception e) {
      page.close();
      throw e;
    }
  }

  @Override
  public void close() {
    kill(process);
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One tab's DevTools session: commands answered by id, events awaited by name. */
  public static final class Page implements AutoCloseable {
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> calls = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> events = new ConcurrentHashMap<>();

    Page(HttpClient http, URI ws) throws Exception {
      this.socket = http.newWebSocketBuilder()
          .connectTimeout(CALL_TIMEOUT)
          .buildAsync(ws, new Listener())
          .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends a command and returns its {@code result}; a protocol error throws. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> call(String method, Map<String, ?> params) throws Exception {
      int id = ids.incrementAndGet();
      CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
      calls.put(id, answer);
      JsonWriter w = new JsonWriter().beginObject().field("id", id).field("method", method).name("params");
      write(w, params);
      socket.sendText(w.endObject().toString(), true).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Map<String, Object> message = answer.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (message.containsKey("error")) {
        throw new IllegalStateException(method + " failed: " + message.get("error"));
      }
      return (Map<String, Object>) message.get("result");
    }

    /**
     * Evaluates {@code expression} in the page and returns its value (JSON types; awaits a
     * promise). A JavaScript exception throws.
     */
    public Object evaluate(String expression) throws Exception {
      Map<String, Object> result = call("Runtime.evaluate",
          Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
      if (result.containsKey("exceptionDetails")) {
        throw new IllegalStateException("'" + expression + "' threw " + result.get("exceptionDetails"));
      }
      return MiniJson.at(result, "result", "value");
    }

    /** A PNG of the whole page, resized to its full height first. */
    public byte[] screenshot(int width) throws Exception {
      int height = ((Number) evaluate("document.documentElement.scrollHeight")).intValue();
      call("Emulation.setDeviceMetricsOverride",
          Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
      Map<String, Object> shot = call("Page.captureScreenshot", Map.of("format", "png"));
      return Base64.getDecoder().decode((String) shot.get("data"));
    }

    CompletableFuture<Void> event(String method) {
      return events.computeIfAbsent(method, m -> new CompletableFuture<>());
    }

    @Override
    public void close() {
      socket.abort();
    }

    private static void write(JsonWriter w, Object v) {
      if (v instanceof Map<?, ?> m) {
        w.beginObject();
        m.forEach((k, x) -> {
          w.name((String) k);
          write(w, x);
        });
        w.endObject();
      } else if (v instanceof List<?> l) {
        w.beginArray();
        l.forEach(x -> write(w, x));
        w.endArray();
      } else if (v instanceof Boolean b) {
        w.value(b);
      } else if (v instanceof Integer || v instanceof Long) {
        w.value(((Number) v).longValue());
      } else if (v instanceof Number n) {
        w.value(n.doubleValue());
      } else {
        w.value((String) v);
      }
    }

    private final class Listener implements WebSocket.Listener {
      private final StringBuilder text = new StringBuilder();

      @Override
      @SuppressWarnings("unchecked")
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          Map<String, Object> message = (Map<String, Object>) MiniJson.parse(text.toString());
          text.setLength(0);
          Object id = message.get("id");
          if (id instanceof Number n) {
            CompletableFuture<Map<String, Object>> answer = calls.remove(n.intValue());
            if (answer != null) {
              answer.complete(message);
            }
          } else if (message.get("method") instanceof String method) {
            event(method).complete(null);
          }
        }
        ws.request(1);
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        calls.values().forEach(c -> c.completeExceptionally(error));
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
        IllegalStateException closed = new IllegalStateException("DevTools closed: " + status + " " + reason);
        calls.values().forEach(c -> c.completeExceptionally(closed));
        return null;
      }
    }
  }
}
