package io.dynamo.server;

import io.dynamo.proto.v1.Envelope;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;

/** A plain socket speaking (or abusing) the frame format, for bad-input tests. */
final class RawConnection implements AutoCloseable {
  private final Socket socket = new Socket();
  private final DataInputStream in;
  private final DataOutputStream out;

  RawConnection(String hostPort) throws IOException {
    int colon = hostPort.lastIndexOf(':');
    socket.connect(
        new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
        5_000);
    socket.setSoTimeout(15_000);
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
  }

  void sendFrame(byte[] body) throws IOException {
    out.writeInt(body.length);
    out.write(body);
    out.flush();
  }

  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void send(Envelope envelope) throws IOException {
    sendFrame(envelope.toByteArray());
  }

  Envelope receive() throws IOException {
    int length = in.readInt();
    byte[] body = new byte[length];
    in.readFully(body);
    return Envelope.parseFrom(body);
  }

  /** True once the server has closed the connection (reads end of stream). */
  boolean closedByPeer() throws IOException {
    try {
      return in.read() == -1;
    } catch (EOFException | SocketException e) {
      return true;
    }
  }

  /** Reads whatever the server had sent; true once it has closed the connection. */
  boolean closedByPeerAfterDraining() throws IOException {
    byte[] sink = new byte[1 << 16];
    try {
      while (in.read(sink) != -1) {
        // discard
      }
      return true;
    } catch (EOFException | SocketException e) {
      return true;
    }
  }

  /** True if the server neither sent anything nor closed the connection within {@code millis}. */
  boolean quietlyOpenFor(int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      in.read();
      return false; // it sent something, or closed
    } catch (java.net.SocketTimeoutException e) {
      return true;
    } catch (EOFException | SocketException e) {
      return false;
    } finally {
      socket.setSoTimeout(15_000);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
