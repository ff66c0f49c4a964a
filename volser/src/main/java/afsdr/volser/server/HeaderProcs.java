package afsdr.volser.server;

import afsdr.partition.VolumeDiskData;
import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.volser.wire.VolintInfo;
import afsdr.volser.wire.VolserErrors;
import afsdr.volser.wire.VolserOps;
import afsdr.volser.wire.VolserStatus;

import static afsdr.volser.server.VolserContext.nameBytes;
import static afsdr.volser.server.VolserContext.vol;
import static afsdr.volser.server.VolserService.MAX_NAME;
import static afsdr.volser.wire.VolserConstants.ITReadOnly;
import static afsdr.volser.wire.VolserConstants.VTDeleteOnSalvage;
import static afsdr.volser.wire.VolserConstants.VTOutOfService;

/**
 * The procedures that read or set fields of a transaction's volume header: GetStatus, GetFlags,
 * GetName, SetFlags, SetIdsTypes, SetDate, SetInfo, and SetForwarding (which has nothing to set
 * here). Each runs inside {@link Transactions#onTrans}, which gives the 1.8 ENOENT for an unknown or
 * deleted transaction.
 */
final class HeaderProcs {
    private final VolserContext ctx;
    private final Transactions tx;

    HeaderProcs(VolserContext ctx, Transactions tx) {
        this.ctx = ctx;
        this.tx = tx;
    }

    /** GetStatus (113). */
    VolserStatus getStatus(RxCall call, Integer tid) throws Exception {
        ctx.query(call);
        return tx.onTrans(tid, "GetStatus", t -> VolumeViews.status(t.volume.readDiskData()));
    }

    /** GetFlags (107): the transaction's stored vflags, not the header's state. */
    Integer getFlags(RxCall call, Integer tid) throws Exception {
        ctx.query(call);
        return tx.onTrans(tid, "GetFlags", t -> t.vflags);
    }

    /** GetName (112). */
    String getName(RxCall call, Integer tid) throws Exception {
        ctx.query(call);
        return tx.onTrans(tid, "GetName", t -> t.volume.readDiskData().name());
    }

    /** SetFlags (106): VTDeleteOnSalvage ⇒ destroyMe, VTOutOfService ⇒ not in service; EROFS on ITReadOnly. */
    Void setFlags(RxCall call, VolserOps.TransValue a) throws Exception {
        String what = tx.transWhat(a.trans()) + " flags 0x" + Integer.toHexString(a.value());
        return superUserOnTrans(call, "SetFlags", "AFS_VS_SetFlags", what, a.trans(), t -> {
            if ((t.iflags & ITReadOnly) != 0) {
                throw new RxCallException(VolserErrors.EROFS, "SetFlags: transaction " + t.tid + " is read-only");
            }
            VolumeDiskData d = t.volume.readDiskData();
            int destroyMe = (a.value() & VTDeleteOnSalvage) != 0 ? VolumeDiskData.DESTROY_ME : 0;
            boolean inService = (a.value() & VTOutOfService) == 0;
            // Unchanged (vos sets 3 on the volume CreateVolume or Clone just made so, and before
            // every delete): no write and no disk flush. Both fields are only ever written synced
            // (a delete's unsynced destroyMe mark comes just before the volume is gone), so what is
            // read here is what is on disk.
            if (d.destroyMe() != destroyMe || d.inService() != inService) {
                t.volume.writeDiskData(d.destroyMe(destroyMe).inService(inService));
            }
            t.vflags = a.value();
            return null;
        });
    }

    /** SetIdsTypes (117). */
    Void setIdsTypes(RxCall call, VolserOps.SetIdsTypesArgs a) throws Exception {
        String what = tx.transWhat(a.tid()) + " name " + a.name() + " type " + a.type() + " parent " + vol(a.pId())
            + " clone " + vol(a.cloneId()) + " backup " + vol(a.backupId());
        return ctx.logged(call, "SetIdsTypes", "AFS_VS_SetIdTy", () -> what, () -> {
            if (nameBytes(a.name()) > MAX_NAME) {
                throw new RxCallException(VolserErrors.VOLSERBADNAME, "SetIdsTypes: name longer than " + MAX_NAME);
            }
            ctx.requireSuperUser(call, "SetIdsTypes");
            return tx.onTrans(a.tid(), "SetIdsTypes", t -> {
                VolumeDiskData d = t.volume.readDiskData();
                d.type(a.type()).backupId(a.backupId()).cloneId(a.cloneId()).parentId(a.pId()).name(a.name());
                t.volume.writeDiskData(d);
                return null;
            });
        });
    }

    /** SetDate (123): the creation date. */
    Void setDate(RxCall call, VolserOps.TransValue a) throws Exception {
        String what = tx.transWhat(a.trans()) + " date " + Integer.toUnsignedString(a.value());
        return superUserOnTrans(call, "SetDate", "AFS_VS_SetDate", what, a.trans(), t -> {
            t.volume.writeDiskData(t.volume.readDiskData().creationDate(a.value()));
            return null;
        });
    }

    /** SetInfo (126): maxquota, dayUse, creationDate, updateDate, spare2 (volUpdateCounter), each unless -1. */
    Void setInfo(RxCall call, VolserOps.SetInfoArgs a) throws Exception {
        VolintInfo i = a.info();
        String what = tx.transWhat(a.tid()) + " maxquota " + i.maxquota() + " dayUse " + i.dayUse() + " creation "
            + i.creationDate() + " update " + i.updateDate() + " updateCounter " + i.spare2();
        return superUserOnTrans(call, "SetInfo", "AFS_VS_SetInfo", what, a.tid(), t -> {
            VolumeDiskData d = t.volume.readDiskData();
            if (i.maxquota() != -1) {
                d.maxquota(i.maxquota());
            }
            if (i.dayUse() != -1) {
                d.dayUse(i.dayUse());
            }
            if (i.creationDate() != -1) {
                d.creationDate(i.creationDate());
            }
            if (i.updateDate() != -1) {
                d.updateDate(i.updateDate());
            }
            if (i.spare2() != -1) {
                d.volUpdateCounter(i.spare2());
            }
            t.volume.writeDiskData(d);
            return null;
        });
    }

    /** SetForwarding (111): there is no fileserver here to tell that the volume moved. */
    Void setForwarding(RxCall call, VolserOps.TransValue a) throws Exception {
        String what = tx.transWhat(a.trans()) + " newsite 0x" + Integer.toHexString(a.value());
        return superUserOnTrans(call, "SetForwarding", "AFS_VS_SetForw", what, a.trans(), t -> null);
    }

    /**
     * The shape of the header-changing procedures: logged and audited as {@code event}, refused unless
     * the caller is a superuser, then {@code body} on transaction {@code tid}.
     */
    private Void superUserOnTrans(RxCall call, String proc, String event, String what, int tid,
                                  Transactions.TransBody<Void> body) throws Exception {
        return ctx.logged(call, proc, event, () -> what, () -> {
            ctx.requireSuperUser(call, proc);
            return tx.onTrans(tid, proc, body);
        });
    }
}
