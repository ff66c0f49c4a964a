package afsdr.rx.packet;

/**
 * The one failure of every Rx decoder: the bytes do not form a packet we accept. The receive path
 * counts and drops such packets (rx_statistics.bogusPacketOnRead); it never answers them.
 */
public final class RxMalformedPacketException extends Exception {
    public RxMalformedPacketException(String message) {
        super(message, null, false, false);
    }
}
