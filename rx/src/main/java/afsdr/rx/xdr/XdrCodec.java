package afsdr.rx.xdr;

import java.io.IOException;

/**
 * Encoder and decoder of one XDR type: an rxgen struct, a typedef'd array, or a group of RPC
 * parameters.
 *
 * @param <T> the Java value
 */
public interface XdrCodec<T> {

    void encode(XdrWriter w, T value) throws IOException;

    T decode(XdrReader r) throws IOException;

    /**
     * The fewest bytes one value can occupy on the wire. Variable arrays of this type check
     * {@code count * minWireSize()} against the bytes available before allocating anything, so a
     * fixed-size struct should return its exact size.
     */
    int minWireSize();

    /** Encoding half of a codec, for lambdas. */
    @FunctionalInterface
    interface Encoder<T> {
        void encode(XdrWriter w, T value) throws IOException;
    }

    /** Decoding half of a codec, for lambdas. */
    @FunctionalInterface
    interface Decoder<T> {
        T decode(XdrReader r) throws IOException;
    }

    /** A codec from two lambdas; {@code minWireSize} as in {@link #minWireSize()}. */
    static <T> XdrCodec<T> of(int minWireSize, Encoder<T> encoder, Decoder<T> decoder) {
        if (minWireSize < 0 || (minWireSize & 3) != 0) {
            throw new IllegalArgumentException("XDR sizes are multiples of 4: " + minWireSize);
        }
        return new XdrCodec<>() {
            @Override
            public void encode(XdrWriter w, T value) throws IOException {
                encoder.encode(w, value);
            }

            @Override
            public T decode(XdrReader r) throws IOException {
                return decoder.decode(r);
            }

            @Override
            public int minWireSize() {
                return minWireSize;
            }
        };
    }
}
