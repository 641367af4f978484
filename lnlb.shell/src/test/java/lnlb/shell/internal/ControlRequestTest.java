package lnlb.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The lnlbctl request: words, the Gogo line made of them, the answer's framing. */
class ControlRequestTest {
    private static final Set<String> LNLB = Set.of("addif", "delif", "nodes", "weight");

    @Test
    void wordsAreNulTerminated() {
        byte[] request = "addif\u000010.0.0.10\u0000eth0\u0000".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("addif", "10.0.0.10", "eth0"), ControlRequest.words(request, request.length));
        byte[] unterminated = "nodes\u0000nlb0".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("nodes", "nlb0"), ControlRequest.words(unterminated, unterminated.length));
        assertEquals(List.of(), ControlRequest.words(new byte[0], 0));
    }

    @Test
    void lnlbVerbsGetTheirScope() {
        assertEquals("lnlb:addif --memory -i 100 10.0.0.10 eth0",
                ControlRequest.line(List.of("addif", "--memory", "-i", "100", "10.0.0.10", "eth0"), LNLB).text());
        assertEquals("lnlb:nodes", ControlRequest.line(List.of("lnlb:nodes"), LNLB).text());
        assertEquals("help lnlb:addif", ControlRequest.line(List.of("help", "lnlb:addif"), LNLB).text());
        assertEquals("lb", ControlRequest.line(List.of("lb"), LNLB).text());
        assertEquals("fe80::1", ControlRequest.line(List.of("fe80::1"), LNLB).text());
    }

    @Test
    void otherWordsTravelAsVariablesSoGogoNeverReadsThem() {
        ControlRequest.Line line = ControlRequest.line(List.of("delif", "it's a b", "$x;{}", ""), LNLB);
        assertEquals("lnlb:delif $lnlbctl_1 $lnlbctl_2 $lnlbctl_3", line.text());
        assertEquals(Map.of("lnlbctl_1", "it's a b", "lnlbctl_2", "$x;{}", "lnlbctl_3", ""), line.variables());
    }

    @Test
    void theAnswerIsAStatusByteANewlineAndTheText() {
        assertEquals("0\nnlb0: deleted", new String(ControlRequest.answer(true, "nlb0: deleted"), StandardCharsets.UTF_8));
        assertEquals("1\nno command", new String(ControlRequest.answer(false, "no command"), StandardCharsets.UTF_8));
    }

    @Test
    void gogoFailuresBecomeOneLine() {
        assertEquals("addif: wrong arguments (lnlbctl help lnlb:addif explains them)",
                ControlRequest.failure("lnlb:addif x", new IllegalArgumentException("Cannot coerce addif(String) to any of [...]")));
        assertEquals("nodes: boom", ControlRequest.failure("lnlb:nodes", new IllegalStateException("boom")));
    }

    @Test
    void theSocketPath() {
        assertEquals("/tmp/a.sock", ControlSocket.path(" /tmp/a.sock ", "/tmp/b.sock"));
        assertEquals("/tmp/b.sock", ControlSocket.path("", "/tmp/b.sock"));
        assertEquals(ControlSocket.DEFAULT_PATH, ControlSocket.path(null, null));
    }
}
