package io.dynamo.bench.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStateTest {
  @Test
  void stateIsTheFieldAfterTheCommandName() {
    assertThat(ProcState.parseStat("123 (java) S 1 123 123 0 -1")).isEqualTo(ProcState.RUNNING);
    assertThat(ProcState.parseStat("123 (java) R 1")).isEqualTo(ProcState.RUNNING);
    assertThat(ProcState.parseStat("123 (a (b) c) T 1")).isEqualTo(ProcState.PAUSED);
    assertThat(ProcState.parseStat("123 (java) Z 1")).isEqualTo(ProcState.GONE);
    assertThat(ProcState.parseStat("garbage")).isEqualTo(ProcState.GONE);
  }

  @Test
  void thisProcessIsRunningWithAResidentSet() {
    long self = ProcessHandle.current().pid();
    assertThat(ProcState.of(self)).isEqualTo(ProcState.RUNNING);
    assertThat(ProcState.rss(self)).isPositive();
    assertThat(ProcState.of(Long.MAX_VALUE)).isEqualTo(ProcState.GONE);
  }

  @Test
  void unknownSizesPrintAsDashes() {
    MemorySample s = MemorySample.of("n1", 42, ProcState.PAUSED, MemorySample.Jvm.NONE, 4096);
    assertThat(s.line(1000)).isEqualTo("1000 n1 42 paused - - - - - - 4096");
  }
}
