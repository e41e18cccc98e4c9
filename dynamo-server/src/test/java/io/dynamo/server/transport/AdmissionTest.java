package io.dynamo.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.server.config.RequestLimits;
import org.junit.jupiter.api.Test;

class AdmissionTest {
  final Admission admission = new Admission(new RequestLimits(10, 3, 1_000, 1 << 16, 1 << 20));

  @Test
  void theNodeLimitRefusesPastItsCountAndReleaseFreesASlot() {
    for (int i = 0; i < 10; i++) {
      assertThat(admission.tryAdmit(0, 1)).isNull();
    }
    assertThat(admission.tryAdmit(0, 1)).isEqualTo(Admission.Refusal.NODE_REQUESTS);
    assertThat(admission.inFlight()).isEqualTo(10);
    admission.release(1);
    assertThat(admission.tryAdmit(0, 1)).isNull();
    assertThat(admission.refused(Admission.Refusal.NODE_REQUESTS)).isEqualTo(1);
    assertThat(admission.admitted()).isEqualTo(11);
  }

  @Test
  void aConnectionPastItsShareIsRefusedOnlyOnceTheNodeIsHalfFull() {
    // An idle node admits a busy connection beyond its share...
    for (int i = 0; i < 5; i++) {
      assertThat(admission.tryAdmit(i, 1)).isNull();
    }
    // ...until half the node's slots are taken.
    assertThat(admission.tryAdmit(5, 1)).isEqualTo(Admission.Refusal.CONNECTION_REQUESTS);
    // Another connection still gets in.
    assertThat(admission.tryAdmit(0, 1)).isNull();
  }

  @Test
  void bytesInFlightAreBoundedAndARefusalTakesNothing() {
    assertThat(admission.tryAdmit(0, 600)).isNull();
    assertThat(admission.tryAdmit(0, 600)).isEqualTo(Admission.Refusal.NODE_BYTES);
    assertThat(admission.bytesInFlight()).isEqualTo(600);
    assertThat(admission.inFlight()).isEqualTo(1);
    admission.release(600);
    assertThat(admission.tryAdmit(0, 600)).isNull();
  }
}
