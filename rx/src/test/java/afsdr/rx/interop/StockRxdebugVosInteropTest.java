package afsdr.rx.interop;

import static org.junit.jupiter.api.Assertions.*;

import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.security.RxNullSecurity;
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
    static final String HOST = FakeVolser.HOST;
    static final int VOLSER_PORT = FakeVolser.VOLSER_PORT;

    RxEndpoint endpoint;
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path configDir;

    private String config() throws java.io.IOException {
        return FakeVolser.writeClientConfig(configDir);
    }

    @BeforeEach
    void start() throws Exception {
        endpoint = RxEndpoint.builder().bind(InetAddress.getByName(HOST), VOLSER_PORT).version("afsdr-test 1.2.3").build();
        endpoint.addService(FakeVolser.VOLSERVICE_ID, Map.of(0, RxNullSecurity.INSTANCE),
            FakeVolser::answerXListPartitions);
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
