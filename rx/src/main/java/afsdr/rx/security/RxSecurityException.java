package afsdr.rx.security;

/**
 * A security class refused a packet, a challenge or a response. {@link #code()} is what travels in
 * the resulting ABORT (an rxkad code such as RXKADSEALEDINCON 19270410, or an Rx code).
 */
public final class RxSecurityException extends Exception {
    private final int code;

    public RxSecurityException(int code, String message) {
        super(message + " (code " + code + ")");
        this.code = code;
    }

    public int code() {
        return code;
    }
}
