package io.dynamo.client;

import io.dynamo.proto.v1.Envelope;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * A stand-in node on loopback that answers each request with a function of it (null: no answer),
 * one request at a time per connection, so a slow answer holds back the connection's next ones as
 * a busy node would.
 */
final class FakeNode {
  private FakeNode() {}

  static ServerSocket start(ExecutorService pool, Function<Envelope, Envelope> answer) throws IOException {
    ServerSocket server = new ServerSocket(0);
    pool.execute(
        () -> {
          while (!server.isClosed()) {
            try {
              Socket s = server.accept();
              pool.execute(() -> serve(s, answer));
            } catch (IOException e) {
              return;
            }
          }
        });
    return server;
  }

  static String address(ServerSocket node) {
    return "127.0.0.1:" + node.getLocalPort();
  }

  private static void serve(Socket s, Function<Envelope, Envelope> answer) {
    try (s;
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
      while (true) {
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        Envelope response = answer.apply(Envelope.parseFrom(frame));
        if (response != null) {
          byte[] body = response.toByteArray();
          out.writeInt(body.length);
          out.write(body);
          out.flush();
        }
      }
    } catch (IOException e) {
      // connection closed
    }
  }
}
