package lnlb.core.api.table;

import static lnlb.core.api.table.SlotLayout.KEY;
import static lnlb.core.api.table.SlotLayout.LAST_SEEN;
import static lnlb.core.api.table.SlotLayout.OCCUPIED;
import static lnlb.core.api.table.SlotLayout.OWNER;
import static lnlb.core.api.table.SlotLayout.OWNER_MASK;
import static lnlb.core.api.table.SlotLayout.SHIFT;
import static lnlb.core.api.table.SlotLayout.STATE;
import static lnlb.core.api.table.SlotLayout.STRIDE;
import static lnlb.core.api.table.SlotLayout.loadLimit;

import java.util.Arrays;
import lnlb.core.api.NodeAddress;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A bounded session table for protocol modules: open addressing over primitive {@code long} keys
 * (a source address, a packed address and port, ...), each entry holding the owning node, the time
 * it was last seen and one spare {@code int} of module state (a TCP state, flags). Lookups,
 * updates and removals allocate nothing.
 *
 * <h2>Layout</h2>
 * One {@code long[]} holds four words per slot ({@code key, owner, lastSeen, state}), so a probe
 * touches one cache line. The capacity is a power of two; a key's <em>home</em> slot is
 * {@link #mix(long) mix(key)} masked to the capacity, and collisions probe linearly. Entries are
 * kept in Robin Hood order: along a run of occupied slots, entries are sorted by home slot and, for
 * the same home, by key. Removal shifts the following entries back (no tombstones).
 *
 * <h2>Determinism</h2>
 * Every node of a cluster feeds its table the same operations and must end with the same table.
 * Nothing here depends on randomness, the system clock ({@code now} is always passed in) or JVM
 * identity. Moreover the Robin Hood order makes the layout <em>history independent</em>: for a
 * given capacity, the slot of every entry depends only on the set of keys present, not on the
 * order in which they were inserted or removed. A node that rebuilt its table from a state dump
 * (in any order) therefore makes the same eviction choices as the nodes that built theirs packet
 * by packet. {@link #mix(long)} is part of that contract: changing it changes eviction choices.
 *
 * <h2>Bounds and eviction</h2>
 * The table holds at most {@link #maxEntries()} entries. It starts small and doubles (rehashing
 * into the canonical layout) until its load would exceed 3/4 of {@link #maxCapacity()}; those
 * doublings are the only allocations, at most {@code log2(maxCapacity)} times in the table's
 * life. It never shrinks. When a new key arrives at the bound, {@link #put} walks the
 * <em>eviction window</em>: the first {@code min(}{@link #EVICTION_WINDOW}{@code , size())}
 * occupied slots at or after the new key's home slot, in probe order. Every entry in the window
 * that is expired ({@code now - lastSeen >= idleMillis}) is removed. If none was, the entry in the
 * window with the oldest {@code lastSeen} (the first one in probe order on a tie) is evicted and
 * {@link #evictions()} counts it. At the bound the capacity is always {@link #maxCapacity()}, so
 * the window is the same on every node that holds the same entries.
 *
 * <h2>Slots</h2>
 * {@link #find} and {@link #put} return a slot index for the accessors ({@link #owner},
 * {@link #touch}, ...). A slot index stays valid only until the next structural change: a
 * {@code put} of a new key, any removal, {@link #expire}, {@link #removeOwner} or {@link #clear}.
 * Accessors do not check that a slot is occupied.
 *
 * <h2>Where the code is</h2>
 * Here the probe (lookup, insert, removal) and the accessors: the per-packet path. The
 * package-private helpers hold the rest: the array layout and load rule ({@code SlotLayout}),
 * making room at the bound ({@code Eviction}), and the walks over every slot ({@code TableScans}:
 * growth, sweeps, visits, a state dump's copy both ways).
 *
 * <h2>Threading</h2>
 * Not thread-safe, by design: a table belongs to one cluster and is used only on that cluster's
 * event loop, which never makes two module calls at a time. Code on another thread (a status
 * request) must submit its work to the loop rather than read the table directly.
 *
 * <h2>Time</h2>
 * Times are milliseconds of the cluster's clock ({@code Cluster.nowMillis()}) and are compared by
 * subtraction, so only differences matter. An entry is <em>expired</em> when
 * {@code now - lastSeen >= idleMillis}.
 */
public final class SessionTable {
    /** What {@link #find} returns for an absent key. */
    public static final int NOT_FOUND = -1;

    /** The largest {@code maxEntries} accepted (its table takes 2^28 slots of 32 bytes). */
    public static final int MAX_ENTRIES = 1 << 27;

    /** Occupied slots examined, from the new key's home slot, to make room at the bound. */
    public static final int EVICTION_WINDOW = 16;

    /** Capacity a table starts with (or {@link #maxCapacity()} if smaller). */
    static final int INITIAL_CAPACITY = 16;

    private final int maxEntries;
    private final long idleMillis;
    // Package-private for the helpers named in the class comment, which read them directly.
    final int maxCapacity;
    /** The slots, laid out as {@link SlotLayout} says. */
    long[] slots;
    /** {@code capacity() - 1}. */
    int mask;
    /** Largest size the current capacity holds before it doubles. */
    int loadLimit;
    int size;
    /** Counted by {@link Eviction}. */
    long evictions;

    /**
     * @param maxEntries the bound, 1..{@link #MAX_ENTRIES}
     * @param idleMillis entries not seen for this long are expired; must be positive
     * @throws IllegalArgumentException on a value out of range
     */
    public SessionTable(int maxEntries, long idleMillis) {
        this(maxEntries, idleMillis, INITIAL_CAPACITY);
    }

    /** For tests: starts at {@code initialCapacity} (a power of two), capped at the maximum. */
    SessionTable(int maxEntries, long idleMillis, int initialCapacity) {
        if (maxEntries < 1 || maxEntries > MAX_ENTRIES) {
            throw new IllegalArgumentException("maxEntries must be 1.." + MAX_ENTRIES + ": " + maxEntries);
        }
        if (idleMillis <= 0) {
            throw new IllegalArgumentException("idleMillis must be positive: " + idleMillis);
        }
        if (initialCapacity < 2 || Integer.bitCount(initialCapacity) != 1) {
            throw new IllegalArgumentException("initialCapacity must be a power of two >= 2: " + initialCapacity);
        }
        this.maxEntries = maxEntries;
        this.idleMillis = idleMillis;
        this.maxCapacity = SlotLayout.maxCapacity(maxEntries);
        allocate(Math.min(initialCapacity, maxCapacity));
    }

    /**
     * The fixed 64-bit mix that places keys (the MurmurHash3 {@code fmix64} finalizer): a key's
     * home slot is {@code (int) mix(key) & (capacity() - 1)}. Part of the determinism contract.
     */
    public static long mix(long key) {
        key ^= key >>> 33;
        key *= 0xFF51_AFD7_ED55_8CCDL;
        key ^= key >>> 33;
        key *= 0xC4CE_B9FE_1A85_EC53L;
        key ^= key >>> 33;
        return key;
    }

    static int home(long key, int mask) {
        return (int) mix(key) & mask;
    }

    void allocate(int capacity) {
        slots = new long[capacity << SHIFT];
        mask = capacity - 1;
        loadLimit = loadLimit(capacity);
    }

    // ---------------------------------------------------------------- lookups

    /** The slot holding {@code key}, or {@link #NOT_FOUND}. */
    public int find(long key) {
        long[] s = slots;
        int m = mask;
        int i = home(key, m);
        for (int distance = 0; ; distance++, i = (i + 1) & m) {
            int base = i << SHIFT;
            if (s[base + OWNER] == 0) {
                return NOT_FOUND;
            }
            long resident = s[base + KEY];
            if (resident == key) {
                return i;
            }
            int residentDistance = (i - home(resident, m)) & m;
            // Robin Hood order: the key would sit before any entry that is closer to its home,
            // or with the same home and a larger key; meeting one means the key is absent.
            if (residentDistance < distance || (residentDistance == distance && resident > key)) {
                return NOT_FOUND;
            }
        }
    }

    /** True if the slot holds an entry (for scanning slots {@code 0..capacity()-1}). */
    public boolean occupied(int slot) {
        return slots[(slot << SHIFT) + OWNER] != 0;
    }

    /** Key of the entry in {@code slot}. */
    public long key(int slot) {
        return slots[(slot << SHIFT) + KEY];
    }

    /** Owner node (48-bit MAC) of the entry in {@code slot}. */
    public long owner(int slot) {
        return slots[(slot << SHIFT) + OWNER] & OWNER_MASK;
    }

    /** When the entry in {@code slot} was last seen, in cluster milliseconds. */
    public long lastSeen(int slot) {
        return slots[(slot << SHIFT) + LAST_SEEN];
    }

    /** The module's state word of the entry in {@code slot}. */
    public int state(int slot) {
        return (int) slots[(slot << SHIFT) + STATE];
    }

    /** True if the entry in {@code slot} has not been seen for {@link #idleMillis()} or more. */
    public boolean isExpired(int slot, long now) {
        return now - slots[(slot << SHIFT) + LAST_SEEN] >= idleMillis;
    }

    // ---------------------------------------------------------------- in-place updates

    /** Sets the entry's last-seen time to {@code now}. */
    public void touch(int slot, long now) {
        slots[(slot << SHIFT) + LAST_SEEN] = now;
    }

    /** Hands the entry in {@code slot} to another node. */
    public void setOwner(int slot, long owner) {
        requireNode(owner);
        slots[(slot << SHIFT) + OWNER] = OCCUPIED | owner;
    }

    /** Sets the module's state word of the entry in {@code slot}. */
    public void setState(int slot, int state) {
        slots[(slot << SHIFT) + STATE] = state;
    }

    // ---------------------------------------------------------------- structural changes

    /**
     * Inserts {@code key} or, if present, updates its owner, last-seen time and state in place.
     * A new key at the bound first makes room as described in the class comment.
     *
     * @param owner a node address ({@link NodeAddress#isValid}); not {@link NodeAddress#NONE}
     * @return the entry's slot
     * @throws IllegalArgumentException if {@code owner} is not a 48-bit node address
     */
    public int put(long key, long owner, long now, int state) {
        requireNode(owner);
        int slot = find(key);
        if (slot != NOT_FOUND) {
            int base = slot << SHIFT;
            slots[base + OWNER] = OCCUPIED | owner;
            slots[base + LAST_SEEN] = now;
            slots[base + STATE] = state;
            return slot;
        }
        if (size >= maxEntries) {
            Eviction.makeRoom(this, key, now);
        }
        if (size >= loadLimit && capacity() < maxCapacity) {
            TableScans.grow(this);
        }
        return insert(key, OCCUPIED | owner, now, state);
    }

    /** Removes {@code key}; returns false if it was absent. */
    public boolean remove(long key) {
        int slot = find(key);
        if (slot == NOT_FOUND) {
            return false;
        }
        removeAt(slot);
        return true;
    }

    /**
     * Removes the entry in {@code slot} (found by {@link #find}) and shifts the entries after it
     * back into place.
     *
     * @throws IllegalArgumentException if the slot is free
     */
    public void removeAt(int slot) {
        long[] s = slots;
        if (s[(slot << SHIFT) + OWNER] == 0) {
            throw new IllegalArgumentException("slot " + slot + " is free");
        }
        int m = mask;
        int i = slot;
        for (;;) {
            int next = (i + 1) & m;
            int nextBase = next << SHIFT;
            if (s[nextBase + OWNER] == 0 || home(s[nextBase + KEY], m) == next) {
                break;
            }
            System.arraycopy(s, nextBase, s, i << SHIFT, STRIDE);
            i = next;
        }
        Arrays.fill(s, i << SHIFT, (i << SHIFT) + STRIDE, 0L);
        size--;
    }

    /** Removes every entry owned by {@code node} (a node died); returns how many. */
    public int removeOwner(long node) {
        return TableScans.removeOwner(this, node);
    }

    /** Removes every entry expired at {@code now} under the table's {@link #idleMillis()}. */
    public int expire(long now) {
        return expire(now, idleMillis);
    }

    /**
     * Removes every entry not seen for {@code idleMillis} or more at {@code now} (for a module that
     * needs a shorter sweep than the table's own timeout); returns how many.
     */
    public int expire(long now, long idleMillis) {
        return TableScans.expire(this, now, idleMillis);
    }

    /** Removes every entry; keeps the capacity reached and the eviction count. */
    public void clear() {
        Arrays.fill(slots, 0L);
        size = 0;
    }

    // ---------------------------------------------------------------- iteration and sizes

    /** Receives the entries of a table, one call per entry. */
    @ConsumerType
    @FunctionalInterface
    public interface Visitor {
        void visit(long key, long owner, long lastSeen, int state);
    }

    /**
     * Calls {@code visitor} for every entry, in slot order. The visitor must not change the
     * table.
     */
    public void forEach(Visitor visitor) {
        TableScans.forEach(this, visitor);
    }

    /**
     * Calls {@code visitor} for every entry in slots {@code [from, from + slots)}, in slot order,
     * and returns the next slot, or {@link SessionEntries#END} past the last slot: a table listed
     * in bounded slices (the visitor must not change the table). Allocates nothing.
     *
     * @since 1.4
     */
    public int visit(int from, int slots, Visitor visitor) {
        return TableScans.visit(this, from, slots, visitor);
    }

    /** Number of entries. */
    public int size() {
        return size;
    }

    /** Current number of slots (a power of two); slot indexes run {@code 0..capacity()-1}. */
    public int capacity() {
        return mask + 1;
    }

    /** The number of slots the table has once it holds {@link #maxEntries()} entries. */
    public int maxCapacity() {
        return maxCapacity;
    }

    /** The bound on {@link #size()}. */
    public int maxEntries() {
        return maxEntries;
    }

    /** The idle timeout used by {@link #isExpired}, {@link #expire(long)} and eviction. */
    public long idleMillis() {
        return idleMillis;
    }

    /** Live (unexpired) entries evicted to make room at the bound, since the table was made. */
    public long evictions() {
        return evictions;
    }

    @Override
    public String toString() {
        return "SessionTable[size=" + size + ", capacity=" + capacity() + ", maxEntries=" + maxEntries
                + ", idleMillis=" + idleMillis + ", evictions=" + evictions + "]";
    }

    // ---------------------------------------------------------------- internals

    private static void requireNode(long owner) {
        if (!NodeAddress.isValid(owner)) {
            throw new IllegalArgumentException("owner is not a node address: " + owner);
        }
    }

    /**
     * Places a key, displacing entries to keep the Robin Hood order; returns its slot, or
     * {@link #NOT_FOUND} if the key is present (met before anything was displaced: an equal key
     * has the same home, so it sits in the walk before the key's own place).
     */
    int insert(long key, long ownerWord, long lastSeen, long state) {
        long[] s = slots;
        int m = mask;
        int i = home(key, m);
        int placed = NOT_FOUND;
        for (int distance = 0; ; distance++, i = (i + 1) & m) {
            int base = i << SHIFT;
            if (s[base + OWNER] == 0) {
                s[base + KEY] = key;
                s[base + OWNER] = ownerWord;
                s[base + LAST_SEEN] = lastSeen;
                s[base + STATE] = state;
                size++;
                return placed == NOT_FOUND ? i : placed;
            }
            long resident = s[base + KEY];
            if (resident == key && placed == NOT_FOUND) {
                return NOT_FOUND; // present: found before displacing anything, so nothing changed
            }
            int residentDistance = (i - home(resident, m)) & m;
            if (residentDistance < distance || (residentDistance == distance && resident > key)) {
                long residentOwner = s[base + OWNER];
                long residentSeen = s[base + LAST_SEEN];
                long residentState = s[base + STATE];
                s[base + KEY] = key;
                s[base + OWNER] = ownerWord;
                s[base + LAST_SEEN] = lastSeen;
                s[base + STATE] = state;
                if (placed == NOT_FOUND) {
                    placed = i;
                }
                key = resident;
                ownerWord = residentOwner;
                lastSeen = residentSeen;
                state = residentState;
                distance = residentDistance;
            }
        }
    }
}
