package afsdr.rx.interop;

import static org.junit.jupiter.api.Assertions.*;

import afsdr.rx.RxCallException;
import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.security.RxNullSecurity;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Stock OpenAFS 1.8 tools against our endpoint. Needs the stock binaries and a network namespace
 * of our own (127.1.0.4 is on its lo).
 */
@Tag("interop")
class StockRxdebugVosInteropTest {
    static final String HOST = "127.1.0.4";
    static final int VOLSER_PORT = 7005;
    static final int VOLSERVICE_ID = 4;
    /** AFSVolXListPartitions, volser.md. */
    static final int XLIST_PARTITIONS = 127;
    static final int RXGEN_OPCODE = -455;

    RxEndpoint endpoint;
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path configDir;

    /** vos wants a cell config even for a server given by address; a throwaway one is enough. */
    private String config() throws java.io.IOException {
        java.nio.file.Files.writeString(configDir.resolve("ThisCell"), "interop.test\n");
        java.nio.file.Files.writeString(configDir.resolve("CellServDB"), ">interop.test #test\n127.1.0.1 #db\n");
        return configDir.toString();
    }

    @BeforeEach
    void start() throws Exception {
        endpoint = RxEndpoint.builder().bind(InetAddress.getByName(HOST), VOLSER_PORT).version("afsdr-test 1.2.3").build();
        // test-only VOLSER: answers XListPartitions with /vicepa and /vicepc, nothing else
        endpoint.addService(VOLSERVICE_ID, Map.of(0, RxNullSecurity.INSTANCE), call -> {
            DataInputStream in = new DataInputStream(call.input());
            int op = in.readInt();
            if (op != XLIST_PARTITIONS) {
                throw new RxCallException(RXGEN_OPCODE, "opcode " + op);
            }
            DataOutputStream out = new DataOutputStream(call.output());
            out.writeInt(2);
            out.writeInt(0);
            out.writeInt(2);
        });
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    @Test
    void rxdebugVersion() throws Exception {
        StockTools.Result r = StockTools.run(30, "rxdebug", HOST, String.valueOf(VOLSER_PORT), "-version");
        assertEquals(0, r.exit());
        assertTrue(r.output().contains("AFS version: afsdr-test 1.2.3"), r.output());
    }

    @Test
    void rxdebugRxstatsAfterCalls() throws Exception {
        StockTools.Result v = StockTools.run(60, "vos", "listpart", HOST, "-noauth", "-config", config());
        assertEquals(0, v.exit(), v.output());
        StockTools.Result r = StockTools.run(30, "stdbuf", "-oL", "rxdebug", HOST, String.valueOf(VOLSER_PORT), "-rxstats");
        assertEquals(0, r.exit());
        assertFalse(r.output().contains("unexpected size"), r.output());
        assertFalse(r.output().contains("failed"), r.output());
        assertTrue(r.output().contains("rx stats"), r.output());
        assertTrue(r.output().contains("calls: 1"), r.output());
    }

    @Test
    void vosListpart() throws Exception {
        StockTools.Result r = StockTools.run(60, "vos", "listpart", HOST, "-noauth", "-config", config());
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("/vicepa"), r.output());
        assertTrue(r.output().contains("/vicepc"), r.output());
        assertTrue(r.output().contains("Total: 2"), r.output());
    }
}
