package afsdr.volser.server;

import afsdr.nativeio.FsStat;
import afsdr.partition.NameiPartition;
import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.rx.rpc.RpcDispatcher;
import afsdr.volser.wire.DiskPartition;
import afsdr.volser.wire.DiskPartition64;
import afsdr.volser.wire.VolserErrors;
import afsdr.volser.wire.VolserOps;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The VOLSER procedures this server answers, each written as the row of the RPC table in volser.md
 * §3/§6 it implements. Procedures not bound here are answered with RXGEN_OPCODE by the dispatcher,
 * which is what vos takes as "this server lacks the call".
 */
final class VolserService {
    /** ListPartitions' fixed answer covers only the single-letter partitions a..z (pIDs.partIds[26]). */
    static final int PIDS_SIZE = 26;

    private final List<NameiPartition> partitions;
    /** Partition id to the device (mount source) it lives on, as discovery found it; devName on the wire. */
    private final Map<Integer, String> devices;
    private final VolserLog log;

    VolserService(List<NameiPartition> partitions, Map<Integer, String> devices, VolserLog log) {
        this.partitions = partitions;
        this.devices = devices;
        this.log = log;
    }

    RpcDispatcher dispatcher() {
        return RpcDispatcher.builder(VolserOps.AFSVol)
            .on(VolserOps.XListPartitions, (call, none) -> xListPartitions())
            .on(VolserOps.ListPartitions, (call, none) -> listPartitions())
            .on(VolserOps.PartitionInfo64, this::partitionInfo64)
            .on(VolserOps.PartitionInfo, this::partitionInfo)
            .build();
    }

    /** XListPartitions (127): the ids of every attached partition, in id order. */
    int[] xListPartitions() {
        return partitions.stream().mapToInt(NameiPartition::partitionId).sorted().toArray();
    }

    /** ListPartitions (115): partIds[i] = i when /vicep(a+i) is attached, else -1; a..z only. */
    int[] listPartitions() {
        int[] ids = new int[PIDS_SIZE];
        Arrays.fill(ids, -1);
        for (NameiPartition p : partitions) {
            if (p.partitionId() < PIDS_SIZE) {
                ids[p.partitionId()] = p.partitionId();
            }
        }
        return ids;
    }

    /**
     * PartitionInfo64 (65539). The stock server's quirk is kept on purpose (volser.md §2.5, realcell
     * G17): totalUsable is 0, free is what non-root may still use, and minFree carries the usable
     * size of the partition; vos prints minFree as "out of total".
     */
    DiskPartition64 partitionInfo64(RxCall call, String name) throws RxCallException {
        NameiPartition p = byName(name);
        FsStat st = usage(p);
        long reservedForRoot = Math.max(0, st.freeBytes() - st.availableBytes());
        long usableKb = (st.totalBytes() - reservedForRoot) / 1024;
        long freeKb = st.availableBytes() / 1024;
        return new DiskPartition64(p.name(), deviceOf(p), -1, 0, freeKb, usableKb);
    }

    /** PartitionInfo (119): as {@link #partitionInfo64} with the sizes clamped to 32 bits. */
    DiskPartition partitionInfo(RxCall call, String name) throws RxCallException {
        DiskPartition64 d = partitionInfo64(call, name);
        return new DiskPartition(d.name(), d.devName(), d.lockFd(), 0,
            (int) Math.min(d.free(), 0xFFFFFFFFL), (int) Math.min(d.minFree(), 0xFFFFFFFFL));
    }

    private NameiPartition byName(String name) throws RxCallException {
        for (NameiPartition p : partitions) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new RxCallException(VolserErrors.VOLSERILLEGAL_PARTITION, "no partition " + name);
    }

    private FsStat usage(NameiPartition p) throws RxCallException {
        try {
            return p.usage();
        } catch (IOException e) {
            log.log("PartitionInfo: statvfs of " + p.name() + " failed: " + e.getMessage());
            throw new RxCallException(VolserErrors.VOLSERILLEGAL_PARTITION, "statvfs " + p.name() + ": " + e.getMessage(), e);
        }
    }

    private String deviceOf(NameiPartition p) {
        return devices.getOrDefault(p.partitionId(), "");
    }
}
