package afsdr.vldb;

import afsdr.rx.RxClientConnection;
import afsdr.rx.rpc.RpcClient;
import afsdr.rx.rpc.RpcException;
import afsdr.rx.rpc.RpcOp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A client of a cell's VL servers that picks a server as a ubik client does (vldb.md §1,
 * {@code ubik_Call}):
 * <ul>
 * <li>It makes two passes over the servers: the first skips servers whose last call failed at
 * the Rx level, the second tries every server.</li>
 * <li>A negative code (Rx or rxgen failure) marks the server down and moves on; UNOTSYNC (the
 * server is not the sync site, so it cannot write) and UNOQUORUM move on without marking it;
 * anything else, success or an application error such as VL_NOENT, is the answer.</li>
 * <li>Writes go first to the server that last accepted a write (the sync site, which alone
 * accepts them); reads start at the last server that answered.</li>
 * <li>If no server gives an answer, the last code seen is thrown, or UNOSERVERS (5389) when no
 * call could be made at all.</li>
 * </ul>
 * Connections are opened on first use through the {@link Connector} and kept; one whose call
 * failed at the Rx level is closed and reopened next time. Thread-safe: calls are serialized.
 */
public final class VlClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VlClient.class.getName());

    /** Opens an Rx connection to a VL server (service 52) with the caller's security class. */
    @FunctionalInterface
    public interface Connector {
        RxClientConnection connect(InetSocketAddress vlServer) throws IOException;
    }

    /** Rx dead time vos gives its VL connections ({@code ugen_ClientInitFlags(..., 90)}, vos-flows.md §1.1). */
    public static final int VOS_VL_DEAD_TIME = 90;

    private final List<InetSocketAddress> servers;
    private final Connector connector;
    private final RxClientConnection[] conns;
    private final boolean[] down;
    private int preferred;
    private int syncSite = -1;

    public VlClient(List<InetSocketAddress> servers, Connector connector) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no VL servers");
        }
        this.servers = List.copyOf(servers);
        this.connector = Objects.requireNonNull(connector);
        this.conns = new RxClientConnection[servers.size()];
        this.down = new boolean[servers.size()];
    }

    /** A client for the database servers of {@code cell} in its CellServDB order. */
    public static VlClient forCell(CellServDb.Cell cell, Connector connector) {
        return new VlClient(cell.vlEndpoints(), connector);
    }

    public List<InetSocketAddress> servers() {
        return servers;
    }

    /** Makes one VL call with ubik server selection. */
    public synchronized <A, R> R call(RpcOp<A, R> op, A args) throws RpcException, InterruptedException {
        boolean write = VlOps.isWrite(op);
        int n = servers.size();
        RpcException last = null;
        for (int pass = 0; pass < 2; pass++) {
            int start = write && syncSite >= 0 ? syncSite : preferred;
            for (int k = 0; k < n; k++) {
                int i = (start + k) % n;
                if (pass == 0 && down[i]) {
                    continue;
                }
                RxClientConnection c;
                try {
                    c = connection(i);
                } catch (IOException e) {
                    down[i] = true;
                    last = new RpcException(-1, op + " to " + servers.get(i), "cannot connect", e);
                    continue;
                }
                try {
                    R r = RpcClient.call(c, op, args);
                    answered(i, write);
                    return r;
                } catch (RpcException e) {
                    last = e;
                    int code = e.code();
                    if (code < 0) {
                        LOG.log(Level.DEBUG, () -> "VL server " + servers.get(i) + " failed: " + e.getMessage());
                        down[i] = true;
                        dropConnection(i);
                        if (syncSite == i) {
                            syncSite = -1;
                        }
                    } else if (code == VlErrors.UNOTSYNC) {
                        if (syncSite == i) {
                            syncSite = -1;
                        }
                    } else if (code != VlErrors.UNOQUORUM) {
                        answered(i, write);
                        throw e;
                    }
                }
            }
        }
        if (last == null) {
            throw new RpcException(VlErrors.UNOSERVERS, op.toString(), "no VL server could be called", null);
        }
        throw last;
    }

    private void answered(int i, boolean write) {
        down[i] = false;
        preferred = i;
        if (write) {
            syncSite = i;
        }
    }

    private RxClientConnection connection(int i) throws IOException {
        if (conns[i] == null) {
            conns[i] = connector.connect(servers.get(i));
            conns[i].setDeadTimeSeconds(VOS_VL_DEAD_TIME);
        }
        return conns[i];
    }

    private void dropConnection(int i) {
        if (conns[i] != null) {
            conns[i].close();
            conns[i] = null;
        }
    }

    // ---- the procedures vos uses (vldb.md §2, §4) ----

    public void probe() throws RpcException, InterruptedException {
        call(VlOps.ProbeServer, null);
    }

    /** GetEntryByNameN: all-digit names are ids; ".readonly"/".backup" suffixes name the same entry. */
    public NvldbEntry getEntryByNameN(String name) throws RpcException, InterruptedException {
        return call(VlOps.GetEntryByNameN, name);
    }

    /** GetEntryByIDN; voltype -1 ({@link VlConstants#ANYVOL}) matches any of the entry's ids. */
    public NvldbEntry getEntryByIdN(int volid, int voltype) throws RpcException, InterruptedException {
        return call(VlOps.GetEntryByIDN, new VlOps.IdType(volid, voltype));
    }

    /** GetNewVolumeId: the first of {@code bumpCount} new ids (0: the current maximum, nothing allocated). */
    public int getNewVolumeId(int bumpCount) throws RpcException, InterruptedException {
        return call(VlOps.GetNewVolumeId, bumpCount);
    }

    public void setLock(int volid, int voltype, int voloper) throws RpcException, InterruptedException {
        call(VlOps.SetLock, new VlOps.SetLockArgs(volid, voltype, voloper));
    }

    public void releaseLock(int volid, int voltype, int releaseType) throws RpcException, InterruptedException {
        call(VlOps.ReleaseLock, new VlOps.ReleaseLockArgs(volid, voltype, releaseType));
    }

    public void createEntryN(NvldbEntry entry) throws RpcException, InterruptedException {
        call(VlOps.CreateEntryN, entry);
    }

    /** ReplaceEntryN; releaseType {@link VlConstants#LOCKREL_ALL} also unlocks, 0 keeps the lock. */
    public void replaceEntryN(int volid, int voltype, NvldbEntry entry, int releaseType)
            throws RpcException, InterruptedException {
        call(VlOps.ReplaceEntryN, new VlOps.ReplaceEntryNArgs(volid, voltype, entry, releaseType));
    }

    public void deleteEntry(int volid, int voltype) throws RpcException, InterruptedException {
        call(VlOps.DeleteEntry, new VlOps.IdType(volid, voltype));
    }

    /** One page of ListAttributesN2; start with 0, continue with {@code nextStartIndex} until -1. */
    public VlOps.ListAttributesN2Result listAttributesN2(VldbListByAttributes attributes, String nameFilter,
                                                         int startIndex) throws RpcException, InterruptedException {
        return call(VlOps.ListAttributesN2, new VlOps.ListAttributesN2Args(attributes, nameFilter, startIndex));
    }

    /** Every entry matching {@code attributes}, following the ListAttributesN2 cursor to the end. */
    public List<NvldbEntry> listAllN2(VldbListByAttributes attributes) throws RpcException, InterruptedException {
        List<NvldbEntry> all = new ArrayList<>();
        int index = 0;
        do {
            VlOps.ListAttributesN2Result page = listAttributesN2(attributes, "", index);
            all.addAll(page.entries());
            if (page.nextStartIndex() == index) {
                throw new RpcException(VlErrors.VL_IO, VlOps.ListAttributesN2.toString(),
                        "cursor did not advance from " + index, null);
            }
            index = page.nextStartIndex();
        } while (index != -1);
        return all;
    }

    /** GetAddrs: the server address table (plain IPv4s and multihomed markers), in slot order. */
    public int[] getAddrs() throws RpcException, InterruptedException {
        return call(VlOps.GetAddrs, new VlOps.GetAddrsArgs(0, 0)).addrs();
    }

    public VlOps.GetAddrsUResult getAddrsU(ListAddrByAttributes attributes) throws RpcException, InterruptedException {
        return call(VlOps.GetAddrsU, attributes);
    }

    public void registerAddrs(AfsUuid uuid, int[] addrs) throws RpcException, InterruptedException {
        call(VlOps.RegisterAddrs, new VlOps.RegisterAddrsArgs(uuid, 0, addrs));
    }

    @Override
    public synchronized void close() {
        for (int i = 0; i < conns.length; i++) {
            dropConnection(i);
        }
    }
}
