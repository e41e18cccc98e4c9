package io.dynamo.bench.ycsb;

import static io.dynamo.bench.ycsb.DynamoYcsbSettingsTest.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.client.ConnectionException;
import io.dynamo.client.DynamoException;
import io.dynamo.client.InvalidRequestException;
import io.dynamo.client.QuorumUnavailableException;
import io.dynamo.client.RequestTimeoutException;
import io.dynamo.client.ServerException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Vector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import site.ycsb.ByteIterator;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

/** The binding without a cluster: settings, the shared client's reference count, error statuses. */
class DynamoYcsbClientTest {
  @AfterEach
  void noClientLeftOpen() {
    assertThat(DynamoYcsbClient.openClients()).isZero();
  }

  @Test
  void threadsShareOneClientUntilTheLastCleansUp() throws DBException {
    Properties p = props("dynamo.nodes", "127.0.0.1:1");
    DynamoYcsbClient a = binding(p);
    DynamoYcsbClient b = binding(p);
    a.init();
    b.init();
    assertThat(DynamoYcsbClient.openClients()).isEqualTo(1);
    a.cleanup();
    assertThat(DynamoYcsbClient.openClients()).isEqualTo(1);
    a.cleanup(); // a second cleanup of one instance must not release the other's reference
    assertThat(DynamoYcsbClient.openClients()).isEqualTo(1);
    b.cleanup();
    assertThat(DynamoYcsbClient.openClients()).isZero();

    // And a fresh one afterwards.
    a.init();
    assertThat(DynamoYcsbClient.openClients()).isEqualTo(1);
    a.cleanup();
  }

  @Test
  void differentNodesGetDifferentClients() throws DBException {
    DynamoYcsbClient a = binding(props("dynamo.nodes", "127.0.0.1:1"));
    DynamoYcsbClient b = binding(props("dynamo.nodes", "127.0.0.1:2"));
    DynamoYcsbClient c = binding(props("dynamo.nodes", "127.0.0.1:2", "dynamo.r", "1"));
    a.init();
    b.init();
    c.init();
    assertThat(DynamoYcsbClient.openClients()).isEqualTo(2); // quorums are per request
    a.cleanup();
    b.cleanup();
    c.cleanup();
  }

  @Test
  void initFailsOnBadSettingsWithoutOpeningAClient() {
    DynamoYcsbClient db = binding(new Properties());
    assertThatThrownBy(db::init).isInstanceOf(DBException.class).hasMessageContaining("dynamo.nodes");
    assertThat(DynamoYcsbClient.openClients()).isZero();
  }

  @Test
  void scanIsNotImplemented() throws DBException {
    DynamoYcsbClient db = binding(props("dynamo.nodes", "127.0.0.1:1"));
    db.init();
    try {
      assertThat(db.scan("usertable", "user1", 10, null, new Vector<>()))
          .isEqualTo(Status.NOT_IMPLEMENTED);
    } finally {
      db.cleanup();
    }
  }

  @Test
  void errorsMapToStatuses() {
    assertThat(DynamoYcsbClient.statusOf(new RequestTimeoutException("late")))
        .isEqualTo(DynamoYcsbClient.TIMEOUT);
    assertThat(DynamoYcsbClient.statusOf(new QuorumUnavailableException("1 of 2", 2, 1)))
        .isEqualTo(Status.SERVICE_UNAVAILABLE);
    assertThat(DynamoYcsbClient.statusOf(new ConnectionException("refused", null)))
        .isEqualTo(Status.SERVICE_UNAVAILABLE);
    assertThat(DynamoYcsbClient.statusOf(new InvalidRequestException("BAD_BUCKET", "bad")))
        .isEqualTo(Status.BAD_REQUEST);
    assertThat(DynamoYcsbClient.statusOf(new MalformedRecordException("not a record")))
        .isEqualTo(Status.UNEXPECTED_STATE);
    assertThat(DynamoYcsbClient.statusOf(new ServerException("STORAGE", "disk")))
        .isEqualTo(Status.ERROR);
    assertThat(DynamoYcsbClient.statusOf(new DynamoException("INTERNAL", "?")))
        .isEqualTo(Status.ERROR);
    assertThat(DynamoYcsbClient.statusOf(new IllegalStateException("bug"))).isEqualTo(Status.ERROR);
    assertThat(DynamoYcsbClient.TIMEOUT.isOk()).isFalse();
  }

  @Test
  void anUnreachableClusterIsCountedAsServiceUnavailableNotThrown() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    DynamoYcsbClient db = binding(props("dynamo.nodes", "127.0.0.1:" + closedPort, "dynamo.timeout", "5s"));
    db.init();
    try {
      Map<String, ByteIterator> values = StringByteIterator.getByteIteratorMap(Map.of("field0", "v"));
      assertThat(db.insert("usertable", "user1", values)).isEqualTo(Status.SERVICE_UNAVAILABLE);
      assertThat(db.read("usertable", "user1", null, new HashMap<>()))
          .isEqualTo(Status.SERVICE_UNAVAILABLE);
      assertThat(db.update("usertable", "user1", values)).isEqualTo(Status.SERVICE_UNAVAILABLE);
      assertThat(db.delete("usertable", "user1")).isEqualTo(Status.SERVICE_UNAVAILABLE);
    } finally {
      db.cleanup();
    }
  }

  private static DynamoYcsbClient binding(Properties p) {
    DynamoYcsbClient db = new DynamoYcsbClient();
    db.setProperties(p);
    return db;
  }
}
