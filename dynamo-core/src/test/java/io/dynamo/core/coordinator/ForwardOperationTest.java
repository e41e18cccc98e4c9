package io.dynamo.core.coordinator;

import io.dynamo.core.node.Replies;
import io.dynamo.core.ring.NodeId;
import io.dynamo.proto.v1.Envelope;
import io.dynamo.proto.v1.ErrorResponse;
import io.dynamo.proto.v1.ForwardResponse;
import io.dynamo.proto.v1.PutResponse;
import io.dynamo.proto.v1.StatusCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

class ForwardOperationTest {
  static final NodeId A = NodeId.of("a");
  static final NodeId B = NodeId.of("b");

  final List<Envelope> replies = new ArrayList<>();
  final ForwardOperation op = new ForwardOperation(7, List.of(A, B), replies::add);

  static Envelope error(StatusCode code) {
    return Replies.envelope(0)
        .setForwardResponse(
            ForwardResponse.newBuilder().setError(ErrorResponse.newBuilder().setCode(code).setMessage("no")))
        .build();
  }

  static Envelope ok() {
    return Replies.envelope(0)
        .setForwardResponse(ForwardResponse.newBuilder().setPut(PutResponse.getDefaultInstance()))
        .build();
  }

  @Test
  void aRefusalFromTheRetryWhileTheFirstCoordinatorIsSilentIsAmbiguous() {
    op.nextCoordinator(); // a did not answer in time; the write went to b too
    assertThat(op.onMessage(B, error(StatusCode.OVERLOADED))).isTrue();
    assertThat(replies).hasSize(1);
    assertThat(replies.get(0).getError().getCode()).isEqualTo(StatusCode.TIMEOUT);
    assertThat(replies.get(0).getError().getMessage()).contains("may have applied");
  }

  @Test
  void aRefusalAfterTheFirstCoordinatorFailedTooIsRelayedAsItIs() {
    op.nextCoordinator();
    assertThat(op.onMessage(A, error(StatusCode.OVERLOADED))).isFalse();
    assertThat(op.onMessage(B, error(StatusCode.OVERLOADED))).isTrue();
    assertThat(replies.get(0).getError().getCode()).isEqualTo(StatusCode.OVERLOADED);
  }

  @Test
  void aSuccessFromAnyCoordinatorTriedIsRelayed() {
    op.nextCoordinator();
    assertThat(op.onMessage(A, ok())).isTrue();
    assertThat(replies.get(0).hasPutResponse()).isTrue();
  }

  @Test
  void withoutARetryTheOnlyCoordinatorsErrorIsRelayed() {
    assertThat(op.onMessage(A, error(StatusCode.OVERLOADED))).isTrue();
    assertThat(replies.get(0).getError().getCode()).isEqualTo(StatusCode.OVERLOADED);
  }
}
