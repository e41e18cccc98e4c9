package io.dynamo.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynamo.core.ring.Member;
import io.dynamo.core.ring.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class PartitionPlannerProperties {
  /** A cluster's inputs: members (ids n0..), Q and replicas. */
  record Layout(List<Member> members, int partitions, int replicas) {
    PartitionTable initial() {
      return PartitionPlanner.initial(members, partitions, replicas);
    }

    @Override
    public String toString() {
      return "Q=" + partitions + " R=" + replicas + " " + members;
    }
  }

  static List<Member> members(int count, int zones, List<Integer> capacities, int firstId) {
    List<Member> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String zone = zones == 0 ? "" : "z" + (i % zones);
      out.add(new Member(NodeId.of("n" + (firstId + i)), capacities.get(i), zone));
    }
    return out;
  }

  /** Equal or mixed capacities, no zones or 1 to 5 zones, 1 to 24 members, Q from 16 to 512. */
  @Provide
  Arbitrary<Layout> layouts() {
    return Arbitraries.integers()
        .between(1, 24)
        .flatMap(
            count ->
                Combinators.combine(
                        Arbitraries.integers().between(0, 5),
                        Arbitraries.oneOf(
                            Arbitraries.just(1).list().ofSize(count),
                            Arbitraries.integers().between(1, 4).list().ofSize(count)),
                        Arbitraries.integers().between(16, 512),
                        Arbitraries.integers().between(1, Math.min(5, count)))
                    .as((z, caps, q, r) -> new Layout(members(count, z, caps, 0), q, r)));
  }

  /** Fair shares before any node or zone is capped: Q * R * capacity / total. */
  static boolean uncapped(Layout l) {
    FairShares s = new FairShares(sorted(l.members()), l.partitions(), l.replicas());
    long total = l.members().stream().mapToLong(Member::capacity).sum();
    for (int i = 0; i < s.share.length; i++) {
      double exact = (double) l.partitions() * l.replicas() * sorted(l.members()).get(i).capacity();
      if (Math.abs(s.share[i] - exact / total) > 1e-6) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether moving only one node's copies can always reach balance: no share is capped by a node
   * or zone limit, and no node needs more than half the partitions (a node that owns most of them
   * already owns most of a leaver's partitions, so it cannot take them).
   */
  static boolean roomy(List<Member> members, int partitions, int replicas) {
    Layout l = new Layout(members, partitions, replicas);
    FairShares s = new FairShares(sorted(members), partitions, replicas);
    return uncapped(l) && java.util.Arrays.stream(s.share).allMatch(x -> x <= partitions / 2.0);
  }

  static List<Member> sorted(List<Member> members) {
    return PartitionPlanner.sortedUnique(members);
  }

  static Map<NodeId, Member> byId(List<Member> members) {
    Map<NodeId, Member> out = new HashMap<>();
    members.forEach(m -> out.put(m.id(), m));
    return out;
  }

  /** Every copy count within floor/ceil of the member's share (plus {@code slack}). */
  static void assertBalanced(PartitionTable t, List<Member> members, int slack, Object what) {
    List<Member> sorted = sorted(members);
    FairShares s = new FairShares(sorted, t.partitions(), t.replicas());
    long sum = 0;
    for (int i = 0; i < sorted.size(); i++) {
      int copies = t.copiesOwnedBy(sorted.get(i).id());
      long floor = (long) Math.floor(s.share[i] + 1e-9) - slack;
      long ceil = (long) Math.ceil(s.share[i] - 1e-9) + slack;
      assertThat((long) copies).as("%s copies of %s in %s", copies, sorted.get(i), what)
          .isBetween(floor, ceil);
      sum += copies;
    }
    assertThat(sum).isEqualTo((long) t.partitions() * t.replicas());
  }

  /** Full owner lists, distinct owners (the table checks), and the zone rule. */
  static void assertZoneRule(PartitionTable t, List<Member> members, Object what) {
    Map<NodeId, Member> byId = byId(members);
    long zones = members.stream().map(Member::zone).distinct().count();
    int r = t.replicas();
    int limit = zones >= r ? 1 : (int) ((r + zones - 1) / zones);
    int prefix = (int) Math.min(r, zones);
    for (int p = 0; p < t.partitions(); p++) {
      List<NodeId> owners = t.owners(p);
      assertThat(owners).as("partition %d of %s", p, what).hasSize(r);
      Map<String, Integer> perZone = new HashMap<>();
      owners.forEach(o -> perZone.merge(byId.get(o).zone(), 1, Integer::sum));
      assertThat(Collections.max(perZone.values()))
          .as("partition %d %s of %s", p, owners, what)
          .isLessThanOrEqualTo(limit);
      assertThat(owners.subList(0, prefix).stream().map(o -> byId.get(o).zone()).distinct())
          .as("first owners of partition %d %s of %s", p, owners, what)
          .hasSize(prefix);
    }
  }

  /** Zones are feasible to honour exactly when every zone can hold its share (equal zones). */
  static boolean zonesEven(Layout l) {
    Map<String, Integer> cap = new HashMap<>();
    Map<String, Integer> count = new HashMap<>();
    for (Member m : l.members()) {
      cap.merge(m.zone(), m.capacity(), Integer::sum);
      count.merge(m.zone(), 1, Integer::sum);
    }
    return cap.values().stream().distinct().count() == 1
        && count.values().stream().distinct().count() == 1;
  }

  @Property(tries = 300)
  void initialTablesAreBalancedAndZoneCorrect(@ForAll("layouts") Layout l) {
    PartitionTable t = l.initial();
    assertThat(t.partitions()).isEqualTo(l.partitions());
    assertBalanced(t, l.members(), 0, l);
    if (zonesEven(l)) {
      assertZoneRule(t, l.members(), l);
    }
  }

  @Property(tries = 200)
  void initialTablesDoNotDependOnMemberOrder(@ForAll("layouts") Layout l, @ForAll Random random) {
    List<Member> shuffled = new ArrayList<>(l.members());
    Collections.shuffle(shuffled, random);
    assertThat(PartitionPlanner.initial(shuffled, l.partitions(), l.replicas()))
        .isEqualTo(l.initial());
  }

  @Property(tries = 200)
  void firstOwnersAreSpreadInProportionToCopies(@ForAll("layouts") Layout l) {
    PartitionTable t = l.initial();
    Map<NodeId, Integer> first = new HashMap<>();
    for (int p = 0; p < t.partitions(); p++) {
      first.merge(t.owners(p).get(0), 1, Integer::sum);
    }
    for (Member m : l.members()) {
      double expected = (double) t.copiesOwnedBy(m.id()) / t.replicas();
      // Within 4, or 6 % for a node in most partitions: a sample in CI (Q=203, R=2, one node of
      // capacity 4 beside five of 1) had it first in 86 of the 90.2 its copies would give.
      double slack = Math.max(4, expected * 0.06);
      assertThat((double) first.getOrDefault(m.id(), 0))
          .as("%s first owner in %s", m, l)
          .isBetween(expected - slack, expected + slack);
    }
  }

  /**
   * One node joins M equal nodes: it takes its share Q * R / (M + 1), rounded, every copy from an
   * old owner, and old nodes stay balanced; the ideal is met exactly (tolerance: the rounding).
   */
  @Property(tries = 200)
  void aJoinMovesAboutItsShareOnlyToTheNewNode(
      @ForAll @IntRange(min = 1, max = 24) int m,
      @ForAll @IntRange(min = 1, max = 4) int r,
      @ForAll @IntRange(min = 16, max = 512) int q,
      @ForAll @IntRange(min = 0, max = 4) int zones) {
    if (r > m) {
      return;
    }
    List<Member> old = members(m, zones, Collections.nCopies(m + 1, 1), 0);
    PartitionTable before = PartitionPlanner.initial(old, q, r);
    List<Member> all = new ArrayList<>(old);
    Member joiner = new Member(NodeId.of("new"), 1, zones == 0 ? "" : "z" + (m % zones));
    all.add(joiner);
    PartitionPlanner.Plan plan = PartitionPlanner.plan(before, all, Set.of());
    // The ideal, unless a node or zone limit caps the newcomer's share (then its capped share).
    double ideal =
        new FairShares(sorted(all), q, r).share[sorted(all).indexOf(joiner)];
    if (uncapped(new Layout(all, q, r))) {
      assertThat(ideal).isCloseTo((double) q * r / (m + 1), org.assertj.core.data.Offset.offset(1e-6));
    }
    assertThat(plan.moves()).allMatch(mv -> mv.to().equals(joiner.id()));
    assertThat((double) plan.moves().size()).isBetween(Math.floor(ideal), Math.ceil(ideal));
    assertThat(before.movesTo(plan.table())).containsExactlyInAnyOrderElementsOf(plan.moves());
    // Without zones exact; with zones the rule may make the newcomer take from a node at its share.
    assertBalanced(plan.table(), all, zones == 0 ? 0 : 1, "join of " + m);
    if (zonesEven(new Layout(old, q, r)) && m % Math.max(1, zones) == 0 && zones >= r) {
      assertZoneRule(plan.table(), all, "join of " + m);
    }
  }

  @Property(tries = 200)
  void aLeaveMovesOnlyTheLeaversCopies(@ForAll("layouts") Layout l, @ForAll Random random) {
    if (l.members().size() <= l.replicas()) {
      return;
    }
    PartitionTable before = l.initial();
    Member leaver = l.members().get(random.nextInt(l.members().size()));
    PartitionPlanner.Plan plan = PartitionPlanner.plan(before, l.members(), Set.of(leaver.id()));
    assertThat(plan.moves()).allMatch(mv -> mv.from().equals(leaver.id()));
    assertThat(plan.moves()).hasSize(before.copiesOwnedBy(leaver.id()));
    assertThat(plan.table().copiesOwnedBy(leaver.id())).isZero();
    List<Member> rest = new ArrayList<>(l.members());
    rest.remove(leaver);
    for (int p = 0; p < l.partitions(); p++) {
      assertThat(plan.table().owners(p)).hasSize(l.replicas()).doesNotHaveDuplicates();
      // Positions of the owners that stayed do not change (no zone reordering without zones).
      if (rest.stream().allMatch(m -> m.zone().isEmpty())) {
        for (int j = 0; j < l.replicas(); j++) {
          if (!before.owners(p).get(j).equals(leaver.id())) {
            assertThat(plan.table().owners(p).get(j)).isEqualTo(before.owners(p).get(j));
          }
        }
      }
    }
    // Zones are uneven once a node has left them, and copies must stay in their zone's bounds.
    if (roomy(rest, l.partitions(), l.replicas()) && l.members().get(0).zone().isEmpty()) {
      assertBalanced(plan.table(), rest, 1, "leave of " + leaver + " from " + l);
    }
  }

  /**
   * With at least as many zones as replicas, a leave keeps every partition's owners in distinct
   * zones whenever that is possible: a zone-mate of the leaver stays, or there is a spare zone.
   */
  @Property(tries = 200)
  void aLeaveKeepsTheZoneRule(@ForAll("layouts") Layout l, @ForAll Random random) {
    PartitionTable before = l.initial();
    long zones = l.members().stream().map(Member::zone).distinct().count();
    Member leaver = l.members().get(random.nextInt(l.members().size()));
    List<Member> rest = new ArrayList<>(l.members());
    rest.remove(leaver);
    boolean mateStays = rest.stream().anyMatch(m -> m.zone().equals(leaver.zone()));
    if (zones < l.replicas() || rest.size() < l.replicas() || !(mateStays || zones > l.replicas())) {
      return;
    }
    if (!zonesEven(l)) {
      return;
    }
    PartitionPlanner.Plan plan = PartitionPlanner.plan(before, l.members(), Set.of(leaver.id()));
    assertZoneRule(plan.table(), rest, "leave of " + leaver + " from " + l);
  }

  @Property(tries = 100)
  void plansDoNotDependOnMemberOrder(@ForAll("layouts") Layout l, @ForAll Random random) {
    PartitionTable before = l.initial();
    List<Member> all = new ArrayList<>(l.members());
    all.add(new Member(NodeId.of("x"), 2, l.members().get(0).zone()));
    Set<NodeId> leaving =
        l.members().size() > l.replicas() ? Set.of(l.members().get(0).id()) : Set.of();
    PartitionPlanner.Plan a = PartitionPlanner.plan(before, all, leaving);
    Collections.shuffle(all, random);
    assertThat(PartitionPlanner.plan(before, all, leaving)).isEqualTo(a);
  }

  /**
   * Grow by joins one at a time, then shrink by leaves: balance stays within one of the share, two
   * after leaves with zones (checked where {@link #roomy} and zones hold equal capacity; with mixed
   * capacities across zones, zone-keeping leaves can leave a node a few copies over).
   */
  @Property(tries = 40)
  void joinsThenLeavesKeepBalance(
      @ForAll @IntRange(min = 3, max = 8) int start,
      @ForAll @IntRange(min = 1, max = 8) int grow,
      @ForAll @IntRange(min = 1, max = 3) int r,
      @ForAll @IntRange(min = 0, max = 3) int zones,
      @ForAll boolean mixed,
      @ForAll Random random) {
    int q = 256;
    List<Integer> caps = new ArrayList<>();
    for (int i = 0; i < start + grow; i++) {
      caps.add(mixed ? 1 << random.nextInt(3) : 1);
    }
    List<Member> all = members(start + grow, zones, caps, 0);
    List<Member> current = new ArrayList<>(all.subList(0, start));
    PartitionTable t = PartitionPlanner.initial(current, q, r);
    for (int i = start; i < start + grow; i++) {
      NodeId joiner = all.get(i).id();
      current.add(all.get(i));
      PartitionPlanner.Plan plan = PartitionPlanner.plan(t, current, Set.of());
      assertThat(plan.moves()).allMatch(mv -> mv.to().equals(joiner));
      t = plan.table();
      if (roomy(current, q, r) && (zones == 0 || (!mixed && zonesEven(new Layout(current, q, r))))) {
        assertBalanced(t, current, 1, "grown to " + current);
      }
    }
    while (current.size() > Math.max(r, start)) {
      Member leaver = current.get(random.nextInt(current.size()));
      PartitionPlanner.Plan plan = PartitionPlanner.plan(t, current, Set.of(leaver.id()));
      assertThat(plan.moves()).allMatch(mv -> mv.from().equals(leaver.id()));
      current.remove(leaver);
      t = plan.table();
      if (roomy(current, q, r) && (zones == 0 || (!mixed && zonesEven(new Layout(current, q, r))))) {
        // A leave moves only the leaver's copies, each to a zone its partition lacks: with zones,
        // a node whose zone holds the other copy of many of them cannot take its share, and no
        // copy moves between staying nodes to make up for it. A sample in CI (3 nodes grown to
        // 10, shrunk to 6, r=2, 3 even zones) left a node 2 under its share of 85.3.
        assertBalanced(t, current, zones == 0 ? 1 : 2, "shrunk to " + current);
      }
    }
  }

  @Example
  void joinAtSixteenMovesAboutAFortyFifthOfTheCopies() {
    List<Member> sixteen = members(16, 0, Collections.nCopies(17, 1), 0);
    PartitionTable t = PartitionPlanner.initial(sixteen, 256, 3);
    List<Member> seventeen = members(17, 0, Collections.nCopies(17, 1), 0);
    // 768 / 17 = 45.2
    assertThat(PartitionPlanner.plan(t, seventeen, Set.of()).moves()).hasSize(45);
  }

  /**
   * Fewer copies than nodes (Q=17, N=1, 24 nodes): some nodes own nothing by design, and a leave
   * must not hand them another node's copy (found by CI on a random seed).
   */
  @Example
  void aLeaveWithFewerCopiesThanNodesMovesOnlyTheLeaversCopies() {
    List<Member> nodes = members(24, 2, Collections.nCopies(24, 4), 0);
    PartitionTable t = PartitionPlanner.initial(nodes, 17, 1);
    for (Member leaver : nodes) {
      PartitionPlanner.Plan plan = PartitionPlanner.plan(t, nodes, Set.of(leaver.id()));
      assertThat(plan.moves()).allMatch(mv -> mv.from().equals(leaver.id()));
      assertThat(plan.moves()).hasSize(t.copiesOwnedBy(leaver.id()));
    }
  }

  @Example
  void invalidInputsAreRejected() {
    List<Member> two = members(2, 0, List.of(1, 1), 0);
    assertThatThrownBy(() -> PartitionPlanner.initial(two, 16, 3))
        .hasMessageContaining("replicas (3) exceed");
    assertThatThrownBy(() -> PartitionPlanner.initial(two, 0, 1))
        .hasMessageContaining("partitions");
    assertThatThrownBy(() -> PartitionPlanner.initial(List.of(two.get(0), two.get(0)), 16, 1))
        .hasMessageContaining("listed twice");
    PartitionTable t = PartitionPlanner.initial(two, 16, 2);
    assertThatThrownBy(() -> PartitionPlanner.plan(t, two.subList(0, 1), Set.of()))
        .hasMessageContaining("is not a member");
    assertThatThrownBy(() -> PartitionPlanner.plan(t, two, Set.of(NodeId.of("zz"))))
        .hasMessageContaining("leaving node zz is not a member");
    assertThatThrownBy(() -> PartitionPlanner.plan(t, two, Set.of(NodeId.of("n0"))))
        .hasMessageContaining("replicas (2) exceed");
  }
}
