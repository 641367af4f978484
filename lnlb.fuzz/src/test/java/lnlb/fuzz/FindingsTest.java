package lnlb.fuzz;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.List;
import lnlb.core.api.wire.WireMessage;
import lnlb.core.api.wire.WireMessage.Member;
import org.junit.jupiter.api.Test;

/**
 * Every crash the fuzzers found, reproduced from its committed input (through the harness) and in
 * plain code. For an open {@link Findings} entry the test asserts that the crash still happens, so
 * it fails, with a pointer, the day the code is fixed: then set {@code open = false} and the same
 * test guards the fix.
 */
class FindingsTest {
    private static final long PEER = Wire.NODES[1];
    private static final long LOWER = Wire.NODES[3];

    @Test
    void duplicateViewMemberInPrepare() {
        EngineFuzzTest.Node node = new EngineFuzzTest.Node(false, false);
        expect(Findings.DUPLICATE_VIEW_MEMBER, () -> send(node, LOWER, WireMessage.prepare(5, twice())));
    }

    @Test
    void duplicateViewMemberInCommit() {
        EngineFuzzTest.Node node = new EngineFuzzTest.Node(false, false);
        expect(Findings.DUPLICATE_VIEW_MEMBER, () -> send(node, LOWER, WireMessage.commit(5, twice())));
    }

    @Test
    void duplicateViewMemberInWelcome() {
        // Removed from the view, the node rejoins; the WELCOME for it names a member twice.
        EngineFuzzTest.Node node = new EngineFuzzTest.Node(false, false);
        send(node, LOWER, WireMessage.commit(7, List.of(new Member(LOWER, 10), new Member(PEER, 10))));
        node.time.runFor(20);
        expect(Findings.DUPLICATE_VIEW_MEMBER, () -> send(node, LOWER, WireMessage.welcome(Wire.SELF, 8, twice())));
    }

    @Test
    void duplicateViewMemberRecordedWhileJoining() {
        // Removed from the view, the node rejoins and records what it hears; the bad PREPARE is replayed
        // when it founds again, inside a loop timer (tick -> becomeObserver -> JoinRecorder.replay).
        EngineFuzzTest.Node node = new EngineFuzzTest.Node(false, false);
        send(node, LOWER, WireMessage.commit(7, List.of(new Member(LOWER, 10), new Member(PEER, 10))));
        send(node, LOWER, WireMessage.prepare(9, twice()));
        expect(Findings.DUPLICATE_VIEW_MEMBER, () -> node.time.runFor(1_000));
    }

    @Test
    void duplicateViewMemberCommittedInput() {
        byte[] input = AllTargetsFuzz.read(AllTargetsFuzz.inputs("EngineFuzzTestInputs/onFrame").stream()
                .filter(p -> p.getFileName().toString().equals("crash-duplicate-view-member")).findFirst()
                .orElseThrow());
        assertDoesNotThrow(() -> EngineFuzzTest.run(input)); // the harness lets an open finding pass, no other
        expect(Findings.DUPLICATE_VIEW_MEMBER, () -> {
            EngineFuzzTest.Node node = new EngineFuzzTest.Node(false, false);
            send(node, LOWER, WireMessage.prepare(5, twice()));
        });
    }

    /** A view's members naming one node twice. */
    private static List<Member> twice() {
        return List.of(new Member(PEER, 10), new Member(PEER, 10));
    }

    /** The message as {@code source} sends it, every frame straight into {@code onFrame}. */
    private static void send(EngineFuzzTest.Node node, long source, WireMessage message) {
        for (byte[] frame : Wire.frames(message, 1500, null, source, 1)) {
            node.engine.onFrame(ByteBuffer.wrap(frame), 0, frame.length);
        }
    }

    /** While {@code finding} is open, {@code action} must still crash with it; once closed, it must not crash. */
    private static void expect(Findings finding, Runnable action) {
        Throwable thrown = null;
        try {
            action.run();
        } catch (RuntimeException e) {
            thrown = e;
        }
        if (finding.open) {
            if (thrown == null) {
                fail(finding + " no longer reproduces: the code seems fixed. Set open = false in Findings.");
            }
            if (!finding.matches(thrown)) {
                fail(finding + " reproduces differently", thrown);
            }
        } else if (thrown != null) {
            fail(finding + " is back", thrown);
        }
    }
}
