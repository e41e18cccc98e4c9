package io.dynamo.core.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Assume;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class RingProperties {
  /** A ring's inputs. */
  record Layout(List<Member> members, int partitions, int n) {
    Ring ring() {
      return Ring.create(members, partitions, n);
    }

    long totalCapacity() {
      return members.stream().mapToLong(Member::capacity).sum();
    }

    Set<String> zones() {
      return members.stream().map(Member::zone).collect(Collectors.toSet());
    }

    /**
     * Whether every zone's fair share of the copies (proportional to its capacity) is more than one
     * per partition. Capacity comes first: a one-node zone of small capacity owns too few copies to
     * be in every partition, so no placement can put every zone in every preference list (a random
     * sample found one: zone-3 holding 10 of the 24 partitions' copies it would need).
     */
    boolean everyZoneCanBeInEveryPartition() {
      int replicas = Math.min(n, members.size());
      long total = totalCapacity();
      for (String zone : zones()) {
        long capacity = members.stream().filter(m -> m.zone().equals(zone)).mapToLong(Member::capacity).sum();
        // Share of the partitions' copies, with one copy to spare for rounding.
        if (capacity * replicas * partitions < total * (partitions + 1L)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String toString() {
      return "Q=" + partitions + " N=" + n + " " + members;
    }
  }

  static final int MAX_CAPACITY = 4;

  static Arbitrary<List<Member>> members(int zones) {
    Arbitrary<Integer> capacity = Arbitraries.integers().between(1, MAX_CAPACITY);
    Arbitrary<String> ids = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12);
    return Combinators.combine(ids, capacity, Arbitraries.integers().between(0, 1000))
        .as((id, cap, z) -> new Member(NodeId.of(id), cap, zones == 0 ? "" : "zone-" + z))
        .list()
        .ofMinSize(Math.max(1, zones))
        .ofMaxSize(10)
        .uniqueElements(Member::id)
        .map(
            ms -> {
              if (zones == 0) {
                return ms;
              }
              // Spread members round-robin over exactly `zones` zones, so none is empty.
              List<Member> out = new ArrayList<>();
              for (int i = 0; i < ms.size(); i++) {
                Member m = ms.get(i);
                out.add(new Member(m.id(), m.capacity(), "zone-" + (i % zones)));
              }
              return out;
            });
  }

  /** Any partition count, including fewer partitions than members. */
  @Provide
  Arbitrary<Layout> anyLayouts() {
    return Combinators.combine(
            members(0),
            Arbitraries.integers().between(1, 300),
            Arbitraries.integers().between(1, 5))
        .as(Layout::new);
  }

  /** Enough partitions that every member's share is at least one partition. */
  @Provide
  Arbitrary<Layout> fullLayouts() {
    return members(0)
        .flatMap(
            ms ->
                Combinators.combine(
                        Arbitraries.integers().between(ms.size() * MAX_CAPACITY, 400),
                        Arbitraries.integers().between(1, 5))
                    .as((q, n) -> new Layout(ms, q, n)));
  }

  @Provide
  Arbitrary<Layout> zonedLayouts() {
    return Arbitraries.integers()
        .between(1, 4)
        .flatMap(
            zones ->
                members(zones)
                    .flatMap(
                        ms ->
                            Combinators.combine(
                                    Arbitraries.integers().between(ms.size() * MAX_CAPACITY, 400),
                                    Arbitraries.integers().between(1, 5))
                                .as((q, n) -> new Layout(ms, q, n))));
  }

  @Property(tries = 300)
  void preferenceListsAreTheFirstOwnersThenTheExtendedList(@ForAll("anyLayouts") Layout l) {
    Ring ring = l.ring();
    int replicas = Math.min(l.n(), l.members().size());
    assertThat(ring.table().replicas()).isEqualTo(replicas);
    for (int p = 0; p < ring.partitions(); p++) {
      List<NodeId> owners = ring.table().owners(p);
      List<NodeId> extended = ring.extendedPreferenceList(p);
      assertThat(owners).hasSize(replicas);
      assertThat(ring.owner(p)).isEqualTo(owners.get(0));
      assertThat(extended)
          .startsWith(owners.toArray(new NodeId[0]))
          .containsExactlyInAnyOrderElementsOf(l.members().stream().map(Member::id).toList());
      for (int n = 1; n <= l.n() + 2; n++) {
        List<NodeId> list = ring.preferenceList(p, n);
        assertThat(list).doesNotHaveDuplicates().hasSize(Math.min(n, l.members().size()));
        assertThat(list).isEqualTo(extended.subList(0, list.size()));
      }
    }
  }

  @Property(tries = 300)
  void everyMemberHoldsTheFloorOrCeilingOfItsCapacityShareOfCopies(
      @ForAll("anyLayouts") Layout l) {
    Ring ring = l.ring();
    int replicas = ring.table().replicas();
    long total = l.totalCapacity();
    // A member whose share would exceed Q holds every partition and the others share the rest.
    boolean uncapped =
        l.members().stream().allMatch(m -> (long) replicas * m.capacity() <= total);
    int copies = 0;
    int first = 0;
    for (Member m : l.members()) {
      long exact = (long) l.partitions() * replicas * m.capacity();
      long floor = exact / total;
      long ceil = floor + (exact % total == 0 ? 0 : 1);
      int owned = ring.copiesOwnedBy(m.id());
      if (uncapped) {
        assertThat((long) owned).as("%s of %s", m, l).isBetween(floor, ceil);
      }
      assertThat(owned).isLessThanOrEqualTo(l.partitions());
      copies += owned;
      first += ring.partitionsOwnedBy(m.id());
    }
    assertThat(copies).isEqualTo(l.partitions() * replicas);
    assertThat(first).isEqualTo(l.partitions());
  }

  @Example
  void aRingOfATableUsesItsOwners() {
    List<Member> members = List.of(Member.of("a", 1), Member.of("b", 1), Member.of("c", 1));
    Ring ring = Ring.create(members, 8, 2);
    Ring same = Ring.of(members, ring.table());
    assertThat(same).isEqualTo(ring);
    for (int p = 0; p < 8; p++) {
      assertThat(same.preferenceList(p, 2)).isEqualTo(ring.table().owners(p));
      assertThat(same.preferenceList(p, 3)).hasSize(3).doesNotHaveDuplicates();
    }
    assertThatThrownBy(() -> Ring.of(members.subList(0, 2), ring.table()))
        .hasMessageContaining("is not a member");
  }

  @Property(tries = 200)
  void placementDoesNotDependOnMemberOrder(
      @ForAll("anyLayouts") Layout l, @ForAll Random random, @ForAll("keys") List<byte[]> keys) {
    List<Member> shuffled = new ArrayList<>(l.members());
    Collections.shuffle(shuffled, random);
    Ring a = l.ring();
    Ring b = Ring.create(shuffled, l.partitions(), l.n());
    assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
    for (int p = 0; p < a.partitions(); p++) {
      assertThat(b.owner(p)).isEqualTo(a.owner(p));
      assertThat(b.extendedPreferenceList(p)).isEqualTo(a.extendedPreferenceList(p));
    }
    for (byte[] key : keys) {
      List<NodeId> expected = a.preferenceList("bucket", key, l.n());
      assertThat(b.preferenceList("bucket", key, l.n())).isEqualTo(expected);
      assertThat(a.preferenceList("bucket", key.clone(), l.n())).isEqualTo(expected);
      assertThat(a.preferenceList("bucket", key, l.n()))
          .isEqualTo(a.preferenceList(a.partitionOf("bucket", key), l.n()));
    }
  }

  @Provide
  Arbitrary<List<byte[]>> keys() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(40).list().ofMaxSize(20);
  }

  @Property(tries = 300, maxDiscardRatio = 50)
  void zonedPreferenceListsCoverAsManyZonesAsTheyCan(@ForAll("zonedLayouts") Layout l) {
    Assume.that(l.everyZoneCanBeInEveryPartition());
    Ring ring = l.ring();
    int zones = l.zones().size();
    for (int p = 0; p < ring.partitions(); p++) {
      List<NodeId> list = ring.preferenceList(p, l.n());
      Set<String> covered = new HashSet<>();
      for (NodeId id : list) {
        covered.add(ring.members().get(id).zone());
      }
      assertThat(list).doesNotHaveDuplicates().hasSize(Math.min(l.n(), l.members().size()));
      // With at least N zones, N distinct zones; with fewer, every zone.
      assertThat(covered).as("partition %d: %s in %s", p, list, l).hasSize(Math.min(l.n(), zones));
      assertThat(list.get(0)).isEqualTo(ring.owner(p));
    }
  }

  @Property
  void partitionOfIsInRange(
      @ForAll @IntRange(min = 1, max = 1 << 20) int q,
      @ForAll String bucket,
      @ForAll byte[] key) {
    Partitioner partitioner = new Partitioner(q);
    int p = partitioner.partitionOf(bucket, key);
    assertThat(p).isBetween(0, q - 1);
    assertThat(partitioner.partitionOf(bucket, key.clone())).isEqualTo(p);
  }

  static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

  @Property
  void partitionOfHashIsTheUnsignedHashScaledToQ(
      @ForAll @IntRange(min = 1, max = 1 << 20) int q, @ForAll("hashes") long hash) {
    BigInteger unsigned = new BigInteger(Long.toUnsignedString(hash));
    int expected = unsigned.multiply(BigInteger.valueOf(q)).divide(TWO_TO_64).intValueExact();
    assertThat(new Partitioner(q).partitionOfHash(hash)).isEqualTo(expected).isBetween(0, q - 1);
  }

  @Provide
  Arbitrary<Long> hashes() {
    return Arbitraries.oneOf(
        Arbitraries.longs(),
        Arbitraries.of(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1));
  }

  @Example
  void partitionsAreRoughlyUniform() {
    int q = 64;
    int keys = 64_000;
    Partitioner partitioner = new Partitioner(q);
    int[] counts = new int[q];
    for (int i = 0; i < keys; i++) {
      counts[partitioner.partitionOf("users", ("user:" + i).getBytes(StandardCharsets.UTF_8))]++;
    }
    // 1000 expected per partition, standard deviation about 31: +-15% is a very loose bound.
    for (int p = 0; p < q; p++) {
      assertThat(counts[p]).as("partition %d", p).isBetween(850, 1150);
    }
  }

  @Example
  void bucketSeparatesKeyspaces() {
    // The bucket is hashed with a separator: ("ab", "c") and ("a", "bc") are different inputs.
    long h1 = Partitioner.hash("ab", "c".getBytes(StandardCharsets.UTF_8));
    long h2 = Partitioner.hash("a", "bc".getBytes(StandardCharsets.UTF_8));
    assertThat(h1).isNotEqualTo(h2);
  }

  @Example
  void invalidRingsAreRejected() {
    Member a = Member.of("a", 1);
    assertThatThrownBy(() -> Ring.create(List.of(a, Member.of("a", 2)), 8, 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ring.create(List.of(), 8, 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Partitioner(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Partitioner((1 << 20) + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Member.of("b", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NodeId.of("")).isInstanceOf(IllegalArgumentException.class);
  }
}
