package lnlb.shell.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * What a command prints, on its way to lnlbctl, in bounded memory. An answer that fits in
 * {@value #HELD_BYTES} bytes goes out whole when the command ends, as one classic answer
 * ({@code '0'|'1'}, newline, text). A longer one (a listing of a million sessions) is streamed:
 * {@code '2'} and a newline at once, then the printed bytes as they come (at most
 * {@value #HELD_BYTES} held here, writes block while lnlbctl has not read them), and at the end a NUL
 * byte, the status byte, a newline and the command's own answer. Printed text never holds a NUL.
 */
final class AnswerStream extends OutputStream {
    static final int HELD_BYTES = 64 * 1024;
    static final byte STREAMED = '2';

    private final WritableByteChannel channel;
    private final byte[] held = new byte[HELD_BYTES];
    private int count;
    private boolean streaming;
    private byte last = '\n';
    private int mostHeld;
    private long streamed;
    private IOException broken;

    AnswerStream(WritableByteChannel channel) {
        this.channel = channel;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        if (count + len > HELD_BYTES) {
            if (!streaming) {
                streaming = true;
                send(new byte[] {STREAMED, '\n'}, 0, 2);
            }
            drain();
            if (len > HELD_BYTES) {
                send(b, off, len);
                streamed += len;
                last = b[off + len - 1];
                return;
            }
        }
        System.arraycopy(b, off, held, count, len);
        count += len;
        mostHeld = Math.max(mostHeld, count);
        last = b[off + len - 1];
    }

    /** Ends the answer: the classic one when everything printed was held, else the stream's trailer. */
    void finish(boolean done, String answer) throws IOException {
        if (broken != null) {
            return; // nobody to tell
        }
        try {
            end(done, answer);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void end(boolean done, String answer) {
        byte status = (byte) (done ? '0' : '1');
        if (!streaming) {
            String printed = new String(held, 0, count, StandardCharsets.UTF_8);
            byte[] whole = ControlRequest.answer(done, ControlRequest.join(printed, answer));
            send(whole, 0, whole.length);
            return;
        }
        drain();
        byte[] tail = answer.getBytes(StandardCharsets.UTF_8);
        ByteBuffer trailer = ByteBuffer.allocate(tail.length + 4);
        if (last != '\n') {
            trailer.put((byte) '\n');
        }
        trailer.put((byte) 0).put(status).put((byte) '\n').put(tail).flip();
        send(trailer.array(), 0, trailer.limit());
    }

    /** True once the answer went out as a stream. */
    boolean streaming() {
        return streaming;
    }

    /** The most bytes held at once: the memory this answer took, whatever its length. */
    int mostHeld() {
        return mostHeld;
    }

    /** Printed bytes already sent to lnlbctl. */
    long streamed() {
        return streamed;
    }

    private void drain() {
        send(held, 0, count);
        streamed += count;
        count = 0;
    }

    /**
     * Writes to lnlbctl. A failure (lnlbctl went away: {@code lnlbctl ... | head}) is thrown
     * unchecked, and again on every later write: the print streams between a command and here
     * would swallow an IOException, and the listing would run on to its end for nobody.
     */
    private void send(byte[] b, int off, int len) {
        if (broken != null) {
            throw new UncheckedIOException(broken);
        }
        ByteBuffer out = ByteBuffer.wrap(b, off, len);
        try {
            while (out.hasRemaining()) {
                channel.write(out);
            }
        } catch (IOException e) {
            broken = e;
            throw new UncheckedIOException(e);
        }
    }
}
