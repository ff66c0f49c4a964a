package afsdr.volser.wire;

import afsdr.rx.rpc.RpcInterface;
import afsdr.rx.rpc.RpcOp;
import afsdr.rx.xdr.XdrCodec;
import afsdr.rx.xdr.XdrException;
import afsdr.rx.xdr.XdrReader;
import afsdr.vldb.VlOps;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every argument and result codec of the VL and VOLSER interfaces, fed random and truncated
 * bytes: each decode either yields a value or fails with {@link XdrException} (which the RPC layer
 * turns into an rxgen code), never with another exception.
 */
class MalformedInputTest {
    private static final long SEED = Long.getLong("afsdr.fuzz.seed", 0x5eed_ab1eL);

    private static void decodeOrXdrException(XdrCodec<?> codec, byte[] b, String what) {
        for (boolean stream : new boolean[] {false, true}) {
            try {
                codec.decode(stream ? XdrReader.of(new ByteArrayInputStream(b)) : XdrReader.of(b));
            } catch (XdrException expected) {
                // the one allowed failure
            } catch (Exception | Error e) {
                fail(what + " (seed " + SEED + ", " + b.length + " bytes, stream " + stream + "): " + e, e);
            }
        }
    }

    @Test
    void randomAndTruncatedInputNeverEscapesAsAnythingButXdrException() {
        Random rnd = new Random(SEED);
        for (RpcInterface iface : List.of(VolserOps.AFSVol, VlOps.VL)) {
            for (RpcOp<?, ?> op : iface.ops()) {
                for (XdrCodec<?> codec : List.of(op.args(), op.results())) {
                    for (int i = 0; i < 200; i++) {
                        int len = rnd.nextInt(3) == 0 ? rnd.nextInt(16) : rnd.nextInt(2200);
                        byte[] b = new byte[len];
                        rnd.nextBytes(b);
                        if (len >= 4 && rnd.nextBoolean()) {
                            // small counts and lengths reach deeper into the structures
                            b[0] = 0;
                            b[1] = 0;
                            b[2] = 0;
                            b[3] = (byte) rnd.nextInt(4);
                        }
                        decodeOrXdrException(codec, b, iface.name() + "." + op);
                    }
                }
            }
        }
    }
}
