package afsdr.rx.rpc;

import afsdr.rx.RxCallException;
import afsdr.rx.xdr.Xdr;
import afsdr.rx.xdr.XdrCodec;
import afsdr.rx.xdr.XdrWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RpcTest {
    /** Two IN parameters grouped as rxgen sends them: uint32 volid, int32 voltype. */
    record IdType(int volid, int voltype) {
        static final XdrCodec<IdType> CODEC = XdrCodec.of(8,
                (w, v) -> w.writeInt(v.volid).writeInt(v.voltype),
                r -> new IdType(r.readInt(), r.readInt()));
    }

    static final RpcOp<IdType, String> LOOKUP = RpcOp.of(518, "Lookup", IdType.CODEC, Xdr.string(65));
    static final RpcOp<Void, Void> PROBE = RpcOp.of(514, "Probe", Xdr.VOID, Xdr.VOID);
    static final RpcOp<String, Integer> UPLOAD = RpcOp.split(102, "Upload", Xdr.string(32), Xdr.INT32,
            RpcOp.Split.REQUEST);
    static final RpcOp<Integer, Void> DOWNLOAD = RpcOp.split(109, "Download", Xdr.INT32, Xdr.VOID,
            RpcOp.Split.REPLY);
    static final RpcOp<Void, Void> UNSERVED = RpcOp.of(600, "Unserved", Xdr.VOID, Xdr.VOID);
    static final RpcInterface TEST = RpcInterface.of("T", 99, LOOKUP, PROBE, UPLOAD, DOWNLOAD, UNSERVED);

    static final int NOT_FOUND = 363524;

    static RpcDispatcher dispatcher() {
        return RpcDispatcher.builder(TEST)
                .on(LOOKUP, (call, a) -> {
                    if (a.volid() == 0) {
                        throw new RxCallException(NOT_FOUND, "no such entry");
                    }
                    if (a.volid() == 2) {
                        throw new RxCallException(a.voltype(), "errno from the disk layer");
                    }
                    if (a.volid() == 1) {
                        return "x".repeat(66); // does not fit string<65>
                    }
                    return "vol" + a.volid() + "/" + a.voltype();
                })
                .on(PROBE, (call, a) -> null)
                .on(UPLOAD, (call, name) -> {
                    byte[] raw = call.input().readAllBytes();
                    return name.length() + raw.length;
                })
                .on(DOWNLOAD, (call, n) -> {
                    byte[] raw = new byte[n];
                    Arrays.fill(raw, (byte) 0x5a);
                    call.output().write(raw);
                    return null;
                })
                .build();
    }

    private static byte[] request(int opcode, byte[] args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) (opcode >>> 24), (byte) (opcode >>> 16), (byte) (opcode >>> 8), (byte) opcode});
        b.writeBytes(args);
        return b.toByteArray();
    }

    private static int abortOf(byte[] request) {
        FakeRxCall call = new FakeRxCall(request);
        RxCallException e = assertThrows(RxCallException.class, () -> dispatcher().handle(call));
        assertEquals(0, call.out.size(), "no reply data before an abort");
        return e.code();
    }

    @Test
    void dispatcherDecodesArgumentsAndEncodesResults() throws Exception {
        FakeRxCall call = new FakeRxCall(request(518, HexFormat.of().parseHex("0000000700000001")));
        dispatcher().handle(call);
        assertEquals("00000006" + HexFormat.of().formatHex("vol7/1".getBytes()) + "0000",
                HexFormat.of().formatHex(call.out.toByteArray()));
    }

    @Test
    void dispatcherAbortsWithTheRxgenCodes() {
        assertEquals(Rxgen.RXGEN_DECODE, abortOf(new byte[] {0, 0}));
        assertEquals(Rxgen.RXGEN_DECODE, abortOf(new byte[0]));
        assertEquals(Rxgen.RXGEN_OPCODE, abortOf(request(12345, new byte[0])));
        assertEquals(Rxgen.RXGEN_OPCODE, abortOf(request(600, new byte[0])), "declared but not served");
        assertEquals(Rxgen.RXGEN_SS_UNMARSHAL, abortOf(request(518, new byte[] {0, 0, 0, 7})));
        assertEquals(Rxgen.RXGEN_SS_UNMARSHAL, abortOf(request(102, HexFormat.of().parseHex("00000021"))));
    }

    @Test
    void handlerErrorCodeBecomesTheAbortCode() {
        assertEquals(NOT_FOUND, abortOf(request(518, new byte[8])));
        assertEquals(Rxgen.RXGEN_SS_MARSHAL, abortOf(request(518, HexFormat.of().parseHex("0000000100000000"))));
    }

    @Test
    void enospcAndEdquotTravelAsVolumeCodes() {
        assertEquals(108, abortOf(request(518, HexFormat.of().parseHex("000000020000001c"))));
        assertEquals(109, abortOf(request(518, HexFormat.of().parseHex("000000020000007a"))));
        assertEquals(5, abortOf(request(518, HexFormat.of().parseHex("0000000200000005"))));
    }

    @Test
    void splitRequestHandlerReadsTheRawBytesAfterTheArguments() throws Exception {
        XdrWriter w = new XdrWriter();
        w.writeInt(102).writeString("abc", 32);
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.writeBytes(w.toByteArray());
        req.writeBytes(new byte[1000]);
        FakeRxCall call = new FakeRxCall(req.toByteArray());
        dispatcher().handle(call);
        assertEquals("000003eb", HexFormat.of().formatHex(call.out.toByteArray()));
    }

    @Test
    void clientCallsThroughAConnection() throws Exception {
        try (InProcessConnection conn = new InProcessConnection(dispatcher(), 99, null)) {
            assertEquals("vol536870912/-1", RpcClient.call(conn, LOOKUP, new IdType(536870912, -1)));
            RpcClient.call(conn, PROBE, null);
            RpcException e = assertThrows(RpcException.class, () -> RpcClient.call(conn, LOOKUP, new IdType(0, 0)));
            assertEquals(NOT_FOUND, e.code());
            assertEquals("Lookup(518)", e.procedure().substring(0, "Lookup(518)".length()));
            assertEquals(Rxgen.RXGEN_OPCODE, assertThrows(RpcException.class,
                    () -> RpcClient.call(conn, UNSERVED, null)).code());
        }
    }

    @Test
    void clientReportsUndecodableResultsAsCcUnmarshal() throws Exception {
        // The server answers Probe with nothing, the client expects a string: RXGEN_CC_UNMARSHAL.
        RpcOp<Void, String> probeWithResult = RpcOp.of(514, "Probe", Xdr.VOID, Xdr.string(10));
        try (InProcessConnection conn = new InProcessConnection(dispatcher(), 99, null)) {
            assertEquals(Rxgen.RXGEN_CC_UNMARSHAL,
                    assertThrows(RpcException.class, () -> RpcClient.call(conn, probeWithResult, null)).code());
        }
    }

    @Test
    void clientRefusesArgumentsThatDoNotEncode() throws Exception {
        try (InProcessConnection conn = new InProcessConnection(dispatcher(), 99, null)) {
            RpcException e = assertThrows(RpcException.class,
                    () -> RpcClient.callSplit(conn, UPLOAD, "y".repeat(33), call -> { }));
            assertEquals(Rxgen.RXGEN_CC_MARSHAL, e.code());
        }
    }

    @Test
    void splitCallsCarryRawBytesBothWays() throws Exception {
        try (InProcessConnection conn = new InProcessConnection(dispatcher(), 99, null)) {
            byte[] big = new byte[3 * InProcessConnection.PIPE_CAPACITY + 5];
            int n = RpcClient.callSplit(conn, UPLOAD, "abcd", call -> call.output().write(big));
            assertEquals(4 + big.length, n);

            byte[][] got = new byte[1][];
            RpcClient.callSplit(conn, DOWNLOAD, 100_000, call -> got[0] = call.input().readAllBytes());
            byte[] expect = new byte[100_000];
            Arrays.fill(expect, (byte) 0x5a);
            assertArrayEquals(expect, got[0]);
        }
    }

    @Test
    void failingRawTransferAbortsTheCall() throws Exception {
        try (InProcessConnection conn = new InProcessConnection(dispatcher(), 99, null)) {
            RpcException e = assertThrows(RpcException.class, () -> RpcClient.callSplit(conn, UPLOAD, "a", call -> {
                call.output().write(new byte[10]);
                throw new IOException("disk read failed");
            }));
            assertEquals(RpcClient.RX_USER_ABORT, e.code());
            // A relayed call's failure keeps its code, and still aborts this call.
            RpcException relayed = assertThrows(RpcException.class, () -> RpcClient.callSplit(conn, UPLOAD, "a", call -> {
                call.output().write(new byte[10]);
                throw new RxCallException(103, "source volume gone");
            }));
            assertEquals(103, relayed.code());
            assertEquals("vol5/0", RpcClient.call(conn, LOOKUP, new IdType(5, 0)), "connection still usable");
        }
    }

    @Test
    void splitAndOrdinaryEntryPointsAreNotInterchangeable() {
        try (InProcessConnection conn = new InProcessConnection(dispatcher(), 99, null)) {
            assertThrows(IllegalArgumentException.class, () -> RpcClient.call(conn, UPLOAD, "a"));
            assertThrows(IllegalArgumentException.class, () -> RpcClient.callSplit(conn, PROBE, null, c -> { }));
        }
    }

    @Test
    void interfaceRejectsDuplicateOpcodesAndForeignOps() {
        assertThrows(IllegalArgumentException.class, () -> RpcInterface.of("X", 1, PROBE, PROBE));
        RpcOp<Void, Void> other = RpcOp.of(514, "Probe", Xdr.VOID, Xdr.VOID);
        assertThrows(IllegalArgumentException.class, () -> RpcDispatcher.builder(TEST).on(other, (c, a) -> null));
    }
}
