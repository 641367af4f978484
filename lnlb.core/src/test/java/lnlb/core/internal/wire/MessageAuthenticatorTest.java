package lnlb.core.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import lnlb.core.internal.wire.ClusterMessage.Conntrack;
import lnlb.core.internal.wire.ClusterMessage.Heartbeat;
import lnlb.core.internal.wire.ClusterMessage.Leave;
import org.junit.jupiter.api.Test;

class MessageAuthenticatorTest {
    private static final byte[] KEY = MessageAuthenticator.parseKey("000102030405060708090a0b0c0d0e0f");
    private static final byte[] OTHER = MessageAuthenticator.parseKey("ffffffffffffffffffffffffffffffff");
    private static final long SENDER = 0x0200_0000_0001L;

    private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);

    private MessageAuthenticator auth(byte[] key) {
        return new MessageAuthenticator(key, null, 0, wall::get);
    }

    private static List<byte[]> frames(ClusterMessage message, MessageAuthenticator sealer, long sender) {
        Fragmenter fragmenter = new Fragmenter(1500, 1 << 20);
        fragmenter.setAuthenticator(sealer);
        List<byte[]> frames = new ArrayList<>();
        fragmenter.send(message, WireFixtures.VIP, sender, 0x0200_0A00_000AL, 1, frame -> {
            byte[] copy = new byte[frame.remaining()];
            frame.get(copy);
            frames.add(copy);
        });
        return frames;
    }

    private static ReceivedMessage deliver(Reassembler reassembler, List<byte[]> frames) {
        ReceivedMessage last = null;
        for (byte[] frame : frames) {
            last = reassembler.accept(ByteBuffer.wrap(frame), 0, frame.length, 0);
        }
        return last;
    }

    private Reassembler receiver(MessageAuthenticator checker) {
        Reassembler reassembler = new Reassembler(WireFixtures.VIP);
        reassembler.setAuthenticator(checker);
        return reassembler;
    }

    @Test
    void sealedMessagesRoundTripSingleAndFragmented() {
        MessageAuthenticator sealer = auth(KEY);
        Reassembler receiver = receiver(auth(KEY));
        Heartbeat heartbeat = new Heartbeat(3, 7, 3);
        assertEquals(heartbeat, deliver(receiver, frames(heartbeat, sealer, SENDER)).message());
        Conntrack big = new Conntrack(SENDER, 6, WireFixtures.bytes(100_000, 5));
        List<byte[]> fragments = frames(big, sealer, SENDER);
        assertEquals(70, fragments.size()); // ceil(100011 / (1500 - 38 - 24))
        assertEquals(big, deliver(receiver, fragments).message());
        assertEquals(2, receiver.counters().decoded());
    }

    @Test
    void aWrongKeyAnUnsealedAndAnUnexpectedSealedMessageAreCounted() {
        Reassembler keyed = receiver(auth(KEY));
        assertNull(deliver(keyed, frames(new Leave(), auth(OTHER), SENDER)));
        assertEquals(1, keyed.counters().badTag());
        assertNull(deliver(keyed, frames(new Leave(), null, SENDER)));
        assertEquals(1, keyed.counters().unauthenticated());
        Reassembler keyless = receiver(null);
        assertNull(deliver(keyless, frames(new Leave(), auth(KEY), SENDER)));
        assertEquals(1, keyless.counters().unauthenticated());
        assertEquals(keyed.counters().received(), keyed.counters().accounted());
    }

    @Test
    void aReplayedOrAlteredMessageIsRefused() {
        MessageAuthenticator sealer = auth(KEY);
        Reassembler receiver = receiver(auth(KEY));
        List<byte[]> first = frames(new Heartbeat(1, 1, 3), sealer, SENDER);
        assertNotNull(deliver(receiver, first));
        assertNotNull(deliver(receiver, frames(new Heartbeat(2, 1, 3), sealer, SENDER)));
        assertNull(deliver(receiver, first), "a captured heartbeat sent again");
        assertEquals(1, receiver.counters().replayed());

        // An attacker who changes the body and fixes the CRC still fails the tag.
        byte[] frame = frames(new Heartbeat(3, 1, 3), sealer, SENDER).get(0);
        int body = 14 + 38;
        frame[body + 9] ^= 0x40; // the weight
        CRC32 crc = new CRC32();
        int total = ByteBuffer.wrap(frame).getInt(14 + 28);
        crc.update(frame, body, total);
        ByteBuffer.wrap(frame).putInt(14 + 32, (int) crc.getValue());
        assertNull(receiver.accept(ByteBuffer.wrap(frame), 0, frame.length, 0));
        assertEquals(1, receiver.counters().badTag());

        // Another sender's MAC on a copied frame: the MAC is under the tag.
        byte[] stolen = frames(new Heartbeat(4, 1, 3), sealer, SENDER).get(0);
        stolen[11] ^= 1;
        assertNull(receiver.accept(ByteBuffer.wrap(stolen), 0, stolen.length, 0));
        assertEquals(2, receiver.counters().badTag());
    }

    @Test
    void countersKeepRisingAcrossARestart() {
        Reassembler receiver = receiver(auth(KEY));
        assertNotNull(deliver(receiver, frames(new Heartbeat(1, 1, 3), auth(KEY), SENDER)));
        wall.addAndGet(5); // the node restarts 5 ms later with a fresh counter
        assertNotNull(deliver(receiver, frames(new Heartbeat(1, 1, 3), auth(KEY), SENDER)));
    }

    @Test
    void thePreviousKeyIsAcceptedOnlyDuringTheRotationWindow() {
        MessageAuthenticator rotating = new MessageAuthenticator(OTHER, KEY, wall.get() + 1000, wall::get);
        Reassembler receiver = receiver(rotating);
        assertNotNull(deliver(receiver, frames(new Heartbeat(1, 1, 3), auth(KEY), SENDER)), "old key, in the window");
        assertNotNull(deliver(receiver, frames(new Heartbeat(1, 1, 3), auth(OTHER), SENDER + 1)), "new key");
        wall.addAndGet(1001);
        assertNull(deliver(receiver, frames(new Heartbeat(1, 1, 3), auth(KEY), SENDER + 2)), "old key, too late");
        assertEquals(1, receiver.counters().badTag());
    }

    @Test
    void theTagIsHmacSha256AsJavaxCryptoComputesIt() throws Exception {
        for (int keyLength : new int[] {16, 64, 65, 200}) {
            byte[] key = WireFixtures.bytes(keyLength, keyLength);
            byte[] data = WireFixtures.bytes(1000 + keyLength, 9);
            javax.crypto.Mac reference = javax.crypto.Mac.getInstance("HmacSHA256");
            reference.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            reference.update(data, 3, 900);
            byte[] out = new byte[40];
            HmacSha256 mac = new HmacSha256(key);
            mac.tag(data, 3, 900, out, 8);
            mac.tag(data, 3, 900, out, 8); // a second tag from the same instance is the same
            assertArrayEquals(reference.doFinal(), java.util.Arrays.copyOfRange(out, 8, 40), "key of " + keyLength);
        }
    }

    @Test
    void everyFrameOfAMessageCarriesItsOwnTagAndCounter() {
        List<byte[]> fragments = frames(new Conntrack(SENDER, 6, WireFixtures.bytes(5000, 1)), auth(KEY), SENDER);
        assertEquals(4, fragments.size());
        long previous = 0;
        for (byte[] frame : fragments) {
            ClusterHeader h = new ClusterHeader().wrap(ByteBuffer.wrap(frame), 0);
            assertEquals(ClusterHeader.OK, h.check(frame.length, WireFixtures.VIP, 1 << 20));
            assertTrue(h.sealed());
            assertEquals(h.trailerIndex() + MessageAuthenticator.TRAILER_LENGTH, frame.length);
            long counter = ByteBuffer.wrap(frame).getLong(h.trailerIndex());
            assertTrue(counter > previous, "counters rise frame by frame");
            previous = counter;
        }
    }

    @Test
    void noSingleBitFlipAfterTheDestinationIsAccepted() {
        byte[] frame = frames(new Heartbeat(1, 2, 3), auth(KEY), SENDER).get(0);
        Reassembler receiver = receiver(auth(KEY));
        for (int bit = 6 * 8; bit < frame.length * 8; bit++) {
            byte[] flipped = frame.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertNull(receiver.accept(ByteBuffer.wrap(flipped), 0, flipped.length, 0), "bit " + bit);
        }
        assertEquals(0, receiver.counters().decoded());
        assertNotNull(receiver.accept(ByteBuffer.wrap(frame), 0, frame.length, 0), "refusals used up no counter");
    }

    @Test
    void framesThatOvertookEachOtherAreTakenEachOnceWithinTheWindow() {
        MessageAuthenticator sealer = auth(KEY);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < ReplayWindow.WINDOW + 100; i++) {
            sent.addAll(frames(new Heartbeat(i, 1, 3), sealer, SENDER));
        }
        Reassembler receiver = receiver(auth(KEY));
        // Delivered newest first: all but the last window's worth arrive too late.
        for (int i = sent.size() - 1; i >= 0; i--) {
            byte[] frame = sent.get(i);
            receiver.accept(ByteBuffer.wrap(frame), 0, frame.length, 0);
        }
        assertEquals(ReplayWindow.WINDOW, receiver.counters().decoded());
        assertEquals(100, receiver.counters().replayed());
        for (byte[] frame : sent) {
            assertNull(receiver.accept(ByteBuffer.wrap(frame), 0, frame.length, 0), "each counter once");
        }
        assertEquals(ReplayWindow.WINDOW, receiver.counters().decoded());
    }

    @Test
    void theSenderTableIsBoundedAndForgedFramesNeverEnterIt() {
        MessageAuthenticator checker = auth(KEY);
        Reassembler receiver = receiver(checker);
        for (int i = 0; i < 1000; i++) {
            deliver(receiver, frames(new Leave(), auth(OTHER), SENDER + i));
        }
        assertEquals(1000, receiver.counters().badTag());
        assertTrue(checker.toString().endsWith(", 0 senders"), checker.toString());
        for (int i = 0; i < 100; i++) {
            assertNotNull(deliver(receiver, frames(new Leave(), auth(KEY), SENDER + i)));
        }
        assertTrue(checker.toString().endsWith(", " + MessageAuthenticator.MAX_SENDERS + " senders"), checker.toString());
    }

    @Test
    void keysAreParsedFromHexOrBase64AndShortKeysRefused() {
        assertArrayEquals(KEY, MessageAuthenticator.parseKey("AAECAwQFBgcICQoLDA0ODw=="));
        assertThrows(IllegalArgumentException.class, () -> MessageAuthenticator.parseKey("00112233"));
        assertThrows(IllegalArgumentException.class, () -> MessageAuthenticator.parseKey("not a key!"));
        assertThrows(IllegalArgumentException.class, () -> new MessageAuthenticator(new byte[8], null, 0, wall::get));
    }
}
