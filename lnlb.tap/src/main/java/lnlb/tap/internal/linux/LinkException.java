package lnlb.tap.internal.linux;

import java.io.IOException;

/**
 * A one-line failure of the Linux link. When a system call failed it carries the call and its
 * errno: {@code socket(AF_PACKET): EPERM (Operation not permitted)}; the message may lead with
 * what it means for the user ({@code device eth9 does not exist}).
 */
public final class LinkException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String syscall;
    private final int errno;

    /** A failure that is not a system call's (bad argument, state). */
    public LinkException(String message) {
        super(message);
        this.syscall = null;
        this.errno = 0;
    }

    /** {@code syscall} failed with {@code errno}; {@code meaning} (may be null) leads the message. */
    public LinkException(String meaning, String syscall, int errno) {
        super(format(meaning, syscall, errno));
        this.syscall = syscall;
        this.errno = errno;
    }

    /** The failed call, e.g. {@code ioctl(TUNSETIFF)}; null if no system call failed. */
    public String syscall() {
        return syscall;
    }

    /** The errno of the failed call; 0 if no system call failed. */
    public int errno() {
        return errno;
    }

    /** The same failure with a leading explanation. */
    public LinkException explain(String meaning) {
        LinkException e = syscall == null ? new LinkException(meaning + ": " + getMessage())
                : new LinkException(meaning, syscall, errno);
        e.setStackTrace(getStackTrace());
        return e;
    }

    private static String format(String meaning, String syscall, int errno) {
        String cause = syscall + ": " + Kernel.errnoName(errno) + " (" + Native.strerror(errno) + ")";
        return meaning == null ? cause : meaning + " (" + cause + ")";
    }
}
