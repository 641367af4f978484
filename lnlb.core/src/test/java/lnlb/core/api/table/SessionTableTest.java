package lnlb.core.api.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import lnlb.core.api.NodeAddress;
import org.junit.jupiter.api.Test;

/** Open-box tests of {@link SessionTable}: same package, so home slots can be computed. */
class SessionTableTest {
    private static final long A = 0x02_00_00_00_00_0AL;
    private static final long B = 0x02_00_00_00_00_0BL;
    private static final long C = 0x02_00_00_00_00_0CL;
    private static final long IDLE = 1_000;

    // ------------------------------------------------------------------ construction, basics

    @Test
    void constructorRejectsValuesOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new SessionTable(0, IDLE));
        assertThrows(IllegalArgumentException.class, () -> new SessionTable(SessionTable.MAX_ENTRIES + 1, IDLE));
        assertThrows(IllegalArgumentException.class, () -> new SessionTable(10, 0));
        assertThrows(IllegalArgumentException.class, () -> new SessionTable(10, -5));
    }

    @Test
    void capacityIsAPowerOfTwoThatKeepsTheBoundUnderThreeQuarters() {
        assertEquals(2, new SessionTable(1, IDLE).maxCapacity());
        assertEquals(4, new SessionTable(3, IDLE).maxCapacity());
        assertEquals(8, new SessionTable(4, IDLE).maxCapacity());
        assertEquals(16, new SessionTable(12, IDLE).maxCapacity());
        assertEquals(32, new SessionTable(13, IDLE).maxCapacity());
        assertEquals(1 << 21, new SessionTable(1_000_000, IDLE).maxCapacity());
        assertEquals(SessionTable.INITIAL_CAPACITY, new SessionTable(1_000_000, IDLE).capacity());
        assertEquals(2, new SessionTable(1, IDLE).capacity());
    }

    @Test
    void putFindRemove() {
        SessionTable t = new SessionTable(100, IDLE);
        assertEquals(SessionTable.NOT_FOUND, t.find(42));
        int slot = t.put(42, A, 5, 7);
        assertEquals(slot, t.find(42));
        assertEquals(42, t.key(slot));
        assertEquals(A, t.owner(slot));
        assertEquals(5, t.lastSeen(slot));
        assertEquals(7, t.state(slot));
        assertTrue(t.occupied(slot));
        assertEquals(1, t.size());

        assertTrue(t.remove(42));
        assertFalse(t.remove(42));
        assertEquals(SessionTable.NOT_FOUND, t.find(42));
        assertFalse(t.occupied(slot));
        assertEquals(0, t.size());
    }

    @Test
    void extremeKeysAndStatesRoundTrip() {
        SessionTable t = new SessionTable(100, IDLE);
        long[] keys = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1};
        for (long k : keys) {
            t.put(k, A, k, (int) k);
        }
        for (long k : keys) {
            int slot = t.find(k);
            assertEquals(k, t.key(slot));
            assertEquals(k, t.lastSeen(slot));
            assertEquals((int) k, t.state(slot));
        }
        int slot = t.put(7, 0xFFFF_FFFF_FFFFL, 0, Integer.MIN_VALUE);
        assertEquals(0xFFFF_FFFF_FFFFL, t.owner(slot));
        assertEquals(Integer.MIN_VALUE, t.state(slot));
        assertConsistent(t);
    }

    @Test
    void putUpdatesInPlace() {
        SessionTable t = new SessionTable(100, IDLE);
        int slot = t.put(42, A, 5, 1);
        assertEquals(slot, t.put(42, B, 9, 2));
        assertEquals(1, t.size());
        assertEquals(B, t.owner(slot));
        assertEquals(9, t.lastSeen(slot));
        assertEquals(2, t.state(slot));
    }

    @Test
    void setters() {
        SessionTable t = new SessionTable(100, IDLE);
        int slot = t.put(42, A, 5, 1);
        t.touch(slot, 500);
        t.setOwner(slot, C);
        t.setState(slot, -3);
        assertEquals(500, t.lastSeen(slot));
        assertEquals(C, t.owner(slot));
        assertEquals(-3, t.state(slot));
        assertFalse(t.isExpired(slot, 500 + IDLE - 1));
        assertTrue(t.isExpired(slot, 500 + IDLE));
        assertThrows(IllegalArgumentException.class, () -> t.setOwner(slot, NodeAddress.NONE));
    }

    @Test
    void ownerMustBeANodeAddress() {
        SessionTable t = new SessionTable(100, IDLE);
        assertThrows(IllegalArgumentException.class, () -> t.put(1, NodeAddress.NONE, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> t.put(1, 1L << 48, 0, 0));
        assertEquals(0, t.size());
    }

    @Test
    void removeAtRejectsAFreeSlot() {
        SessionTable t = new SessionTable(100, IDLE);
        assertThrows(IllegalArgumentException.class, () -> t.removeAt(3));
    }

    /** The placement function is part of the protocol: pinned so a change is noticed. */
    @Test
    void mixIsPinned() {
        assertEquals(0L, SessionTable.mix(0));
        assertEquals(0xB456BCFC34C2CB2CL, SessionTable.mix(1));
        assertEquals(0x4DC6199CD3E6453CL, SessionTable.mix(0xC0A8_0001L)); // 192.168.0.1
        assertEquals(0x64B5720B4B825F21L, SessionTable.mix(-1));
    }

    // ------------------------------------------------------------------ collisions, wraparound

    @Test
    void collisionsWrapAroundTheEndAndShiftBackOnRemoval() {
        SessionTable t = new SessionTable(12, IDLE); // 16 slots from the start
        assertEquals(16, t.capacity());
        int mask = 15;
        long[] last = keysWithHome(15, mask, 3);
        long first = keysWithHome(0, mask, 1)[0];

        // Inserted out of order: same-home keys end up sorted, the home-0 key after them.
        t.put(first, C, 4, 0);
        t.put(last[2], A, 3, 0);
        t.put(last[0], A, 1, 0);
        t.put(last[1], B, 2, 0);
        assertEquals(15, t.find(last[0]));
        assertEquals(0, t.find(last[1]));
        assertEquals(1, t.find(last[2]));
        assertEquals(2, t.find(first));
        assertConsistent(t);

        assertTrue(t.remove(last[0]));
        assertEquals(15, t.find(last[1]));
        assertEquals(0, t.find(last[2]));
        assertEquals(1, t.find(first));
        assertFalse(t.occupied(2));
        assertEquals(B, t.owner(t.find(last[1])));
        assertEquals(4, t.lastSeen(t.find(first)));
        assertConsistent(t);

        assertTrue(t.remove(last[2])); // from the middle of the wrapped run
        assertEquals(15, t.find(last[1]));
        assertEquals(0, t.find(first));
        assertConsistent(t);

        assertTrue(t.remove(first)); // at its home: nothing after it to move
        assertEquals(15, t.find(last[1]));
        assertEquals(1, t.size());
        assertConsistent(t);
    }

    @Test
    void lookupOfAnAbsentKeyStopsInsideARun() {
        SessionTable t = new SessionTable(12, IDLE);
        long[] same = keysWithHome(3, 15, 4);
        t.put(same[0], A, 0, 0);
        t.put(same[2], A, 0, 0);
        t.put(same[3], A, 0, 0);
        assertEquals(SessionTable.NOT_FOUND, t.find(same[1]));
        int slot = t.put(same[1], B, 0, 0);
        assertEquals(4, slot);
        assertEquals(5, t.find(same[2]));
        assertConsistent(t);
    }

    // ------------------------------------------------------------------ against a model

    @Test
    void randomOperationsMatchAHashMapModel() {
        Random random = new Random(0x1A2B_3C4DL);
        SessionTable t = new SessionTable(10_000, IDLE);
        Map<Long, long[]> model = new HashMap<>(); // key -> {owner, lastSeen, state}
        long[] nodes = {A, B, C};
        long now = 0;
        for (int op = 0; op < 200_000; op++) {
            now += random.nextInt(3);
            long key = randomKey(random, 3_000);
            int choice = random.nextInt(100);
            if (choice < 45) {
                long owner = nodes[random.nextInt(nodes.length)];
                int state = random.nextInt();
                int slot = t.put(key, owner, now, state);
                assertEquals(key, t.key(slot));
                model.put(key, new long[] {owner, now, state});
            } else if (choice < 75) {
                assertEquals(model.remove(key) != null, t.remove(key), "remove " + key);
            } else if (choice < 95) {
                int slot = t.find(key);
                long[] expected = model.get(key);
                if (expected == null) {
                    assertEquals(SessionTable.NOT_FOUND, slot, "find " + key);
                } else {
                    assertEquals(expected[0], t.owner(slot));
                    assertEquals(expected[1], t.lastSeen(slot));
                    assertEquals((int) expected[2], t.state(slot));
                    t.touch(slot, now);
                    expected[1] = now;
                }
            } else if (choice < 97) {
                long node = nodes[random.nextInt(nodes.length)];
                int expected = 0;
                for (var it = model.values().iterator(); it.hasNext(); ) {
                    if (it.next()[0] == node) {
                        it.remove();
                        expected++;
                    }
                }
                assertEquals(expected, t.removeOwner(node));
            } else {
                long idle = 200 + random.nextInt(2_000);
                int expected = 0;
                for (var it = model.values().iterator(); it.hasNext(); ) {
                    if (now - it.next()[1] >= idle) {
                        it.remove();
                        expected++;
                    }
                }
                assertEquals(expected, t.expire(now, idle));
            }
            assertEquals(model.size(), t.size());
            if (op % 5_000 == 0) {
                assertConsistent(t);
                assertSameEntries(model, t);
            }
        }
        assertEquals(0, t.evictions());
        assertConsistent(t);
        assertSameEntries(model, t);
    }

    /** The layout depends only on the keys present, not on the history that led there. */
    @Test
    void layoutIsHistoryIndependent() {
        Random random = new Random(7);
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            keys.add(randomKey(random, 100_000));
        }
        SessionTable reference = new SessionTable(1_500, IDLE, 2_048);
        for (long k : keys) {
            reference.put(k, A, k, 0);
        }
        for (int round = 0; round < 5; round++) {
            List<Long> shuffled = new ArrayList<>(keys);
            Collections.shuffle(shuffled, random);
            SessionTable t = new SessionTable(1_500, IDLE, 2_048);
            for (long k : shuffled) {
                t.put(k, A, k, 0);
                long noise = randomKey(random, 100_000);
                if (!keys.contains(noise)) { // churn that leaves no trace
                    t.put(noise, B, 0, 0);
                    if (random.nextBoolean()) {
                        t.remove(noise);
                    }
                }
            }
            t.removeOwner(B);
            assertArrayEquals(layout(reference), layout(t), "round " + round);
        }
    }

    @Test
    void growingKeepsEveryEntry() {
        SessionTable t = new SessionTable(20_000, IDLE);
        for (long k = 0; k < 15_000; k++) {
            t.put(k * 7919, A, k, (int) k);
        }
        assertEquals(32_768, t.capacity());
        assertEquals(t.maxCapacity(), t.capacity());
        for (long k = 0; k < 15_000; k++) {
            int slot = t.find(k * 7919);
            assertEquals(k, t.lastSeen(slot));
            assertEquals((int) k, t.state(slot));
        }
        assertConsistent(t);
        t.clear();
        assertEquals(0, t.size());
        assertEquals(32_768, t.capacity());
        assertEquals(SessionTable.NOT_FOUND, t.find(7919));
    }

    // ------------------------------------------------------------------ bound and eviction

    @Test
    void atTheBoundTheOldestEntryIsEvicted() {
        SessionTable t = new SessionTable(4, IDLE); // window covers the whole table
        t.put(1, A, 40, 0);
        t.put(2, A, 10, 0);
        t.put(3, B, 30, 0);
        t.put(4, B, 20, 0);
        t.put(5, C, 50, 0);
        assertEquals(4, t.size());
        assertEquals(1, t.evictions());
        assertEquals(SessionTable.NOT_FOUND, t.find(2));
        t.put(6, C, 60, 0);
        assertEquals(SessionTable.NOT_FOUND, t.find(4));
        t.put(7, C, 70, 0);
        assertEquals(SessionTable.NOT_FOUND, t.find(3));
        assertEquals(3, t.evictions());
        assertTrue(t.find(1) >= 0 && t.find(5) >= 0 && t.find(6) >= 0 && t.find(7) >= 0);
        assertConsistent(t);
    }

    @Test
    void updatingAnEntryAtTheBoundEvictsNothing() {
        SessionTable t = new SessionTable(2, IDLE);
        t.put(1, A, 0, 0);
        t.put(2, A, 1, 0);
        t.put(1, B, 2, 0);
        assertEquals(2, t.size());
        assertEquals(0, t.evictions());
    }

    @Test
    void expiredEntriesAreReclaimedBeforeAnyLiveOneIsEvicted() {
        SessionTable t = new SessionTable(4, 100);
        t.put(1, A, 0, 0);
        t.put(2, A, 500, 0);
        t.put(3, B, 10, 0);
        t.put(4, B, 520, 0);
        t.put(5, C, 550, 0); // 1 and 3 have been idle for >= 100 ms
        assertEquals(3, t.size());
        assertEquals(0, t.evictions());
        assertEquals(SessionTable.NOT_FOUND, t.find(1));
        assertEquals(SessionTable.NOT_FOUND, t.find(3));
        assertConsistent(t);
    }

    @Test
    void evictionLooksOnlyAtTheWindowAfterTheNewKeysHome() {
        SessionTable t = new SessionTable(1_000, 1_000_000);
        for (long k = 0; k < 1_000; k++) {
            t.put(k, A, 1_000 + k, 0); // key 0 is the oldest of the table
        }
        long newKey = 123_456_789;
        int expectedVictim = windowMinimum(t, newKey);
        long victimKey = t.key(expectedVictim);
        assertNotEquals(0, victimKey, "test assumes key 0 lies outside the window");
        t.put(newKey, B, 5_000, 0);
        assertEquals(1, t.evictions());
        assertEquals(SessionTable.NOT_FOUND, t.find(victimKey));
        assertTrue(t.find(0) >= 0);
        assertTrue(t.find(newKey) >= 0);
        assertEquals(1_000, t.size());
        assertConsistent(t);
    }

    @Test
    void evictionTieGoesToTheFirstSlotInProbeOrder() {
        SessionTable t = new SessionTable(1_000, 1_000_000);
        for (long k = 0; k < 1_000; k++) {
            t.put(k, A, 7, 0);
        }
        long newKey = -42;
        int home = SessionTable.home(newKey, t.capacity() - 1);
        int first = home;
        while (!t.occupied(first)) {
            first = (first + 1) & (t.capacity() - 1);
        }
        long victimKey = t.key(first);
        t.put(newKey, B, 8, 0);
        assertEquals(SessionTable.NOT_FOUND, t.find(victimKey));
        assertEquals(1, t.evictions());
    }

    @Test
    void theBoundHoldsUnderAFlood() {
        SessionTable t = new SessionTable(500, 60_000);
        Random random = new Random(99);
        for (int i = 0; i < 50_000; i++) {
            t.put(random.nextLong(), A, i, 0);
            assertTrue(t.size() <= 500);
        }
        assertEquals(500, t.size());
        assertEquals(t.maxCapacity(), t.capacity());
        assertEquals(50_000 - 500, t.evictions());
        assertConsistent(t);
    }

    /**
     * Two nodes see the same operations; a third joins midway with a copy of the table loaded in
     * another order. All three must stay identical, evictions included.
     */
    @Test
    void nodesFedTheSameOperationsKeepTheSameTableAcrossAStateTransfer() {
        Random random = new Random(2024);
        SessionTable first = new SessionTable(300, 400);
        SessionTable second = new SessionTable(300, 400);
        SessionTable joiner = null;
        long[] nodes = {A, B, C};
        long now = 0;
        for (int op = 0; op < 30_000; op++) {
            now += random.nextInt(2);
            long key = randomKey(random, 2_000);
            long owner = nodes[random.nextInt(3)];
            boolean removal = random.nextInt(10) == 0;
            for (SessionTable t : joiner == null ? List.of(first, second) : List.of(first, second, joiner)) {
                if (removal) {
                    t.remove(key);
                } else {
                    t.put(key, owner, now, op);
                }
            }
            if (op == 10_000) {
                joiner = new SessionTable(300, 400);
                List<long[]> dump = new ArrayList<>();
                first.forEach((k, o, seen, state) -> dump.add(new long[] {k, o, seen, state}));
                Collections.reverse(dump);
                for (long[] e : dump) {
                    joiner.put(e[0], e[1], e[2], (int) e[3]);
                }
            }
        }
        assertTrue(first.evictions() > 1_000, "the test must exercise eviction: " + first.evictions());
        assertArrayEquals(layout(first), layout(second));
        assertArrayEquals(layout(first), layout(joiner));
        assertConsistent(joiner);
    }

    // ------------------------------------------------------------------ bulk removal, iteration

    @Test
    void removeOwnerRemovesExactlyThatNodesEntries() {
        SessionTable t = new SessionTable(1_000, IDLE);
        for (long k = 0; k < 600; k++) {
            t.put(k, k % 3 == 0 ? A : k % 3 == 1 ? B : C, 0, 0);
        }
        assertEquals(200, t.removeOwner(B));
        assertEquals(0, t.removeOwner(B));
        assertEquals(0, t.removeOwner(NodeAddress.NONE));
        assertEquals(400, t.size());
        for (long k = 0; k < 600; k++) {
            assertEquals(k % 3 != 1, t.find(k) >= 0, "key " + k);
        }
        assertConsistent(t);
    }

    @Test
    void expireRemovesIdleEntries() {
        SessionTable t = new SessionTable(1_000, 100);
        for (long k = 0; k < 500; k++) {
            t.put(k, A, k, 0);
        }
        assertEquals(0, t.expire(99));
        assertEquals(150, t.expire(249)); // lastSeen 0..149 idle for >= 100
        assertEquals(350, t.size());
        assertEquals(SessionTable.NOT_FOUND, t.find(149));
        assertTrue(t.find(150) >= 0);
        assertEquals(50, t.expire(249, 50)); // an explicit, shorter timeout: 150..199
        assertEquals(300, t.size());
        assertConsistent(t);
    }

    @Test
    void forEachVisitsEveryEntryInSlotOrder() {
        SessionTable t = new SessionTable(100, IDLE);
        for (long k = 1; k <= 50; k++) {
            t.put(k, A + k, k * 10, (int) -k);
        }
        List<Long> visited = new ArrayList<>();
        t.forEach((key, owner, lastSeen, state) -> {
            assertEquals(A + key, owner);
            assertEquals(key * 10, lastSeen);
            assertEquals((int) -key, state);
            visited.add(key);
        });
        List<Long> bySlot = new ArrayList<>();
        for (int slot = 0; slot < t.capacity(); slot++) {
            if (t.occupied(slot)) {
                bySlot.add(t.key(slot));
            }
        }
        assertEquals(bySlot, visited);
        assertEquals(50, visited.size());
    }

    // ------------------------------------------------------------------ helpers

    private static long randomKey(Random random, int range) {
        long k = random.nextInt(range);
        return random.nextBoolean() ? k : -k * 0x1_0000_0001L; // spread over the long range too
    }

    private static long[] keysWithHome(int home, int mask, int count) {
        long[] found = new long[count];
        int n = 0;
        for (long k = 1; n < count; k++) {
            if (SessionTable.home(k, mask) == home) {
                found[n++] = k;
            }
        }
        return found;
    }

    /** The slot the class comment says is evicted for {@code newKey} (no entry expired). */
    private static int windowMinimum(SessionTable t, long newKey) {
        int mask = t.capacity() - 1;
        int i = SessionTable.home(newKey, mask);
        int victim = -1;
        for (int examined = 0; examined < SessionTable.EVICTION_WINDOW; i = (i + 1) & mask) {
            if (t.occupied(i)) {
                examined++;
                if (victim < 0 || t.lastSeen(i) < t.lastSeen(victim)) {
                    victim = i;
                }
            }
        }
        return victim;
    }

    /** Every slot's content; free slots are all-zero. */
    private static long[] layout(SessionTable t) {
        long[] words = new long[t.capacity() * 4];
        for (int slot = 0; slot < t.capacity(); slot++) {
            if (t.occupied(slot)) {
                words[slot * 4] = t.key(slot);
                words[slot * 4 + 1] = t.owner(slot) + 1;
                words[slot * 4 + 2] = t.lastSeen(slot);
                words[slot * 4 + 3] = t.state(slot);
            }
        }
        return words;
    }

    private static void assertSameEntries(Map<Long, long[]> model, SessionTable t) {
        for (Map.Entry<Long, long[]> e : model.entrySet()) {
            int slot = t.find(e.getKey());
            assertTrue(slot >= 0, "missing " + e.getKey());
            assertEquals(e.getValue()[0], t.owner(slot));
            assertEquals(e.getValue()[1], t.lastSeen(slot));
        }
    }

    /**
     * Structural invariants: every entry is found where it sits, the size is right, no run has a
     * gap, and runs are in Robin Hood order (by home slot, then by key).
     */
    private static void assertConsistent(SessionTable t) {
        int mask = t.capacity() - 1;
        int occupied = 0;
        for (int slot = 0; slot <= mask; slot++) {
            if (!t.occupied(slot)) {
                continue;
            }
            occupied++;
            long key = t.key(slot);
            assertEquals(slot, t.find(key), "entry not found where it sits");
            int distance = (slot - SessionTable.home(key, mask)) & mask;
            int previous = (slot - 1) & mask;
            if (distance > 0) {
                assertTrue(t.occupied(previous), "gap before a displaced entry at " + slot);
            }
            if (t.occupied(previous)) {
                long previousKey = t.key(previous);
                int previousDistance = (previous - SessionTable.home(previousKey, mask)) & mask;
                assertTrue(distance <= previousDistance + 1, "Robin Hood order broken at " + slot);
                if (distance == previousDistance + 1) {
                    assertTrue(previousKey < key, "same-home keys out of order at " + slot);
                }
            }
        }
        assertEquals(t.size(), occupied);
    }
}
