package io.dynamo.core.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamo.core.quorum.QuorumTracker.Outcome;
import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class QuorumTrackerProperties {
  /** One reply: from node index (index == asked means a node not asked), success or not. */
  record Reply(int node, boolean ok) {}

  @Provide
  Arbitrary<List<Reply>> replies() {
    return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.of(true, false))
        .as(Reply::new)
        .list()
        .ofMaxSize(15);
  }

  static NodeId node(int i) {
    return NodeId.of("n" + i);
  }

  /**
   * Against a model that keeps each node's first answer: succeeded once `required` distinct nodes
   * said yes, failed once fewer than `required` could, and a decided outcome never changes.
   */
  @Property
  void outcomeFollowsTheFirstAnswerOfEachAskedNode(
      @ForAll @IntRange(min = 1, max = 5) int askedCount,
      @ForAll @IntRange(min = 1, max = 5) int required,
      @ForAll("replies") List<Reply> replies) {
    int req = Math.min(required, askedCount);
    List<NodeId> asked = new ArrayList<>();
    for (int i = 0; i < askedCount; i++) {
      asked.add(node(i));
    }
    QuorumTracker t = new QuorumTracker(asked, req);
    Map<Integer, Boolean> first = new HashMap<>();
    Outcome decided = Outcome.PENDING;
    for (Reply r : replies) {
      Outcome got = r.ok() ? t.onSuccess(node(r.node())) : t.onFailure(node(r.node()));
      if (r.node() < askedCount) {
        first.putIfAbsent(r.node(), r.ok());
      }
      long yes = first.values().stream().filter(b -> b).count();
      long no = first.size() - yes;
      Outcome model =
          yes >= req ? Outcome.SUCCEEDED : askedCount - no < req ? Outcome.FAILED : Outcome.PENDING;
      if (decided != Outcome.PENDING) {
        assertThat(got).isEqualTo(decided);
      }
      assertThat(got).isEqualTo(model).isEqualTo(t.outcome());
      assertThat(t.successes()).isEqualTo((int) yes);
      decided = got;
    }
  }
}
