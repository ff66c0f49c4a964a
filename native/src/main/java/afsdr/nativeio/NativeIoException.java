package afsdr.nativeio;

import java.io.IOException;

/**
 * A failed system call: which call, on which path (or descriptor), and the errno it set.
 * Callers branch on {@link #errno()} (e.g. {@link Errno#EEXIST}), humans read the message.
 */
public class NativeIoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final String path;
    private final int errno;

    public NativeIoException(String call, String path, int errno) {
        super(call + "(" + (path == null ? "" : path) + "): " + Errno.name(errno));
        this.call = call;
        this.path = path;
        this.errno = errno;
    }

    /** The libc function that failed, e.g. "open", "pwrite". */
    public String call() {
        return call;
    }

    /** The path involved, or a "fd N" description, possibly null. */
    public String path() {
        return path;
    }

    public int errno() {
        return errno;
    }

    /** Symbolic errno name, e.g. "ENOSPC". */
    public String errnoName() {
        return Errno.name(errno);
    }
}
