package afsdr.volser.client;

import afsdr.rx.RxClientConnection;
import afsdr.rx.rpc.RpcClient;
import afsdr.rx.rpc.RpcException;
import afsdr.rx.rpc.RpcOp;
import afsdr.rx.rpc.Rxgen;
import afsdr.volser.wire.DiskPartition;
import afsdr.volser.wire.DiskPartition64;
import afsdr.volser.wire.RestoreCookie;
import afsdr.volser.wire.VolintInfo;
import afsdr.volser.wire.VolintXInfo;
import afsdr.volser.wire.VolserOps;
import afsdr.volser.wire.VolserStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A client of one volserver over one Rx connection (service 4), with the fallbacks vos makes
 * (vos-flows.md §1.3, §8): XListPartitions → ListPartitions and PartitionInfo64 → PartitionInfo
 * when the server answers RXGEN_OPCODE. Every method throws {@link RpcException} carrying the
 * server's code (VNOVOL, VOLSERVOLBUSY, ENODEV...).
 */
public final class VolserClient implements AutoCloseable {
    private final RxClientConnection conn;

    public VolserClient(RxClientConnection conn) {
        this.conn = Objects.requireNonNull(conn);
    }

    public RxClientConnection connection() {
        return conn;
    }

    /** Any ordinary VOLSER procedure. */
    public <A, R> R call(RpcOp<A, R> op, A args) throws RpcException, InterruptedException {
        return RpcClient.call(conn, op, args);
    }

    /** XListPartitions (127): the ids of the server's partitions. */
    public int[] xListPartitions() throws RpcException, InterruptedException {
        return call(VolserOps.XListPartitions, null);
    }

    /** ListPartitions (115): the 26-slot pIDs table, -1 in unused slots. */
    public int[] listPartitions() throws RpcException, InterruptedException {
        return call(VolserOps.ListPartitions, null);
    }

    /** The partition ids as vos gets them: XListPartitions, or ListPartitions without the -1 slots. */
    public int[] partitionIds() throws RpcException, InterruptedException {
        try {
            return xListPartitions();
        } catch (RpcException e) {
            if (e.code() != Rxgen.RXGEN_OPCODE) {
                throw e;
            }
            return Arrays.stream(listPartitions()).filter(id -> id != -1).toArray();
        }
    }

    public DiskPartition partitionInfo(String name) throws RpcException, InterruptedException {
        return call(VolserOps.PartitionInfo, name);
    }

    public DiskPartition64 partitionInfo64(String name) throws RpcException, InterruptedException {
        return call(VolserOps.PartitionInfo64, name);
    }

    public List<VolintInfo> listVolumes(int partId, int flags) throws RpcException, InterruptedException {
        return call(VolserOps.ListVolumes, new VolserOps.PartFlags(partId, flags));
    }

    public List<VolintXInfo> xListVolumes(int partId, int flags) throws RpcException, InterruptedException {
        return call(VolserOps.XListVolumes, new VolserOps.PartFlags(partId, flags));
    }

    public List<VolintInfo> listOneVolume(int partId, int volid) throws RpcException, InterruptedException {
        return call(VolserOps.ListOneVolume, new VolserOps.PartVolume(partId, volid));
    }

    public List<VolintXInfo> xListOneVolume(int partId, int volid) throws RpcException, InterruptedException {
        return call(VolserOps.XListOneVolume, new VolserOps.PartVolume(partId, volid));
    }

    /** TransCreate (108): a transaction id. */
    public int transCreate(int volid, int partId, int iflags) throws RpcException, InterruptedException {
        return call(VolserOps.TransCreate, new VolserOps.TransCreateArgs(volid, partId, iflags));
    }

    /** EndTrans (104): the transaction's rcode (always 0 from a 1.8 server). */
    public int endTrans(int trans) throws RpcException, InterruptedException {
        return call(VolserOps.EndTrans, trans);
    }

    public VolserStatus getStatus(int trans) throws RpcException, InterruptedException {
        return call(VolserOps.GetStatus, trans);
    }

    /** Reads a raw dump stream to its end. */
    @FunctionalInterface
    public interface DumpReader {
        void read(InputStream dump) throws IOException;
    }

    /** Writes a raw dump stream; returning ends it. */
    @FunctionalInterface
    public interface DumpWriter {
        void write(OutputStream dump) throws IOException;
    }

    /** Dump (109), handing the raw stream to {@code reader}; unread bytes are discarded. */
    public void dump(int fromTrans, int fromDate, DumpReader reader) throws RpcException, InterruptedException {
        RpcClient.callSplit(conn, VolserOps.Dump, new VolserOps.DumpArgs(fromTrans, fromDate),
                call -> reader.read(call.input()));
    }

    /** DumpV2 (65538) with {@code flags} (VOLDUMPV2_OMITDIRS), handing the raw stream to {@code reader}. */
    public void dumpV2(int fromTrans, int fromDate, int flags, DumpReader reader)
            throws RpcException, InterruptedException {
        RpcClient.callSplit(conn, VolserOps.DumpV2, new VolserOps.DumpV2Args(fromTrans, fromDate, flags),
                call -> reader.read(call.input()));
    }

    /** Restore (102) of the stream {@code writer} produces (e.g. while reading another server's dump). */
    public void restore(int toTrans, int flags, RestoreCookie cookie, DumpWriter writer)
            throws RpcException, InterruptedException {
        RpcClient.callSplit(conn, VolserOps.Restore, new VolserOps.RestoreArgs(toTrans, flags, cookie),
                call -> writer.write(call.output()));
    }

    /** GetSize (65537): the exact length in bytes of Dump(fromTrans, fromDate). */
    public long getSize(int fromTrans, int fromDate) throws RpcException, InterruptedException {
        return call(VolserOps.GetSize, new VolserOps.DumpArgs(fromTrans, fromDate));
    }

    /** CreateVolume (100): creates the volume and returns its id and an open transaction on it. */
    public VolserOps.CreateVolumeResult createVolume(int partId, String name, int type, int parent, int volid)
            throws RpcException, InterruptedException {
        return call(VolserOps.CreateVolume, new VolserOps.CreateVolumeArgs(partId, name, type, parent, volid));
    }

    /** SetFlags (106): VTDeleteOnSalvage / VTOutOfService bits; 0 brings the volume on line at EndTrans. */
    public void setFlags(int trans, int vflags) throws RpcException, InterruptedException {
        call(VolserOps.SetFlags, new VolserOps.TransValue(trans, vflags));
    }

    /** DeleteVolume (101) of the transaction's volume. */
    public void deleteVolume(int trans) throws RpcException, InterruptedException {
        call(VolserOps.DeleteVolume, trans);
    }

    /** Dump (109): the raw dump stream is copied to {@code sink} until the server ends the reply. */
    public void dump(int fromTrans, int fromDate, OutputStream sink) throws RpcException, InterruptedException {
        RpcClient.callSplit(conn, VolserOps.Dump, new VolserOps.DumpArgs(fromTrans, fromDate),
                call -> call.input().transferTo(sink));
    }

    /** Restore (102): {@code dump} is sent raw after the arguments, to its end. */
    public void restore(int toTrans, int flags, RestoreCookie cookie, InputStream dump)
            throws RpcException, InterruptedException {
        RpcClient.callSplit(conn, VolserOps.Restore, new VolserOps.RestoreArgs(toTrans, flags, cookie),
                call -> dump.transferTo(call.output()));
    }

    @Override
    public void close() {
        conn.close();
    }
}
