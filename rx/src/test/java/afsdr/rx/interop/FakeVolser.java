package afsdr.rx.interop;

import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test-only VOLSER that stock vos and rxdebug are pointed at: on 127.1.0.4:7005 (in the test's own
 * network namespace), it answers XListPartitions with /vicepa and /vicepc and refuses anything else.
 */
public final class FakeVolser {
    public static final String HOST = "127.1.0.4";
    public static final int VOLSER_PORT = 7005;
    public static final int VOLSERVICE_ID = 4;
    /** AFSVolXListPartitions, volser.md. */
    public static final int XLIST_PARTITIONS = 127;
    /** RXGEN_OPCODE: the opcode is not one the service knows. */
    public static final int RXGEN_OPCODE = -455;

    private FakeVolser() {
    }

    /** Serves one call: XListPartitions gets partitions 0 and 2 (/vicepa, /vicepc), any other op RXGEN_OPCODE. */
    public static void answerXListPartitions(RxCall call) throws IOException {
        int op = new DataInputStream(call.input()).readInt();
        if (op != XLIST_PARTITIONS) {
            throw new RxCallException(RXGEN_OPCODE, "opcode " + op);
        }
        DataOutputStream out = new DataOutputStream(call.output());
        out.writeInt(2);
        out.writeInt(0);
        out.writeInt(2);
    }

    /** Writes the cell config vos wants even for a server given by address (a throwaway cell) into {@code dir}. */
    public static String writeClientConfig(Path dir) throws IOException {
        Files.writeString(dir.resolve("ThisCell"), "interop.test\n");
        Files.writeString(dir.resolve("CellServDB"), ">interop.test #test\n127.1.0.1 #db\n");
        return dir.toString();
    }
}
