package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.partition.VnodeClass;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeTree;
import afsdr.rx.rpc.InProcessConnection;
import afsdr.rx.rpc.RpcException;
import afsdr.volser.client.VolserClient;
import afsdr.volser.shadow.LineageStore;
import afsdr.volser.shadow.ShadowLineage;
import afsdr.volser.wire.RestoreCookie;
import afsdr.volser.wire.VolserConstants;
import afsdr.volser.wire.VolserErrors;
import afsdr.volser.wire.VolserOps;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The shadow rules in process, driving the target side of vos shadow (vos-flows.md §2.2) call by
 * call: lineage marks, refused foreign incrementals with the target unchanged, the pre-image that
 * puts a target back when a re-created source shows up in the second stream, damaged marks, and the
 * shadow-onto-source guard. Source and target are on one partition with different ids (the -toid
 * form), so every call comes from one in-process "vos".
 */
class ShadowRulesTest extends InProcessVolserTest {
    static final int S = 536870912;
    static final int S2 = S + 10;
    static final int T = S + 20;
    static final int CLONE = S + 30;

    /** A clock the test moves: creation dates must differ between a source and its re-creation. */
    static final class TestClock extends Clock {
        long seconds = 1_795_000_000L;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(seconds);
        }
    }

    TestClock clock = new TestClock();

    @Override
    Clock serviceClock() {
        return clock;
    }

    /** A source volume with {@code files} files whose contents depend on {@code seed}; dates from the clock. */
    void makeSource(int id, String name, int files, String seed) throws IOException {
        int now = (int) clock.seconds;
        try (Volume v = VolumeTree.createVolumeWithRoot(part, id, id, name, VolumeDiskData.RW)) {
            VolumeTree t = new VolumeTree(v);
            for (int i = 0; i < files; i++) {
                t.createFile(1, "f" + i, (seed + i).getBytes(StandardCharsets.UTF_8));
            }
            t.flush();
            v.writeDiskData(v.readDiskData().creationDate(now).updateDate(now).inService(true).blessed(true)
                .destroyMe(0).inUse(0));
        }
        clock.seconds += 10;
    }

    /** A change to the source: one more file, updateDate now. */
    void changeSource(int id, String file) throws IOException {
        try (Volume v = part.openVolume(id)) {
            VolumeTree t = new VolumeTree(v);
            t.createFile(1, file, file.getBytes(StandardCharsets.UTF_8));
            t.flush();
            v.writeDiskData(v.readDiskData().updateDate((int) clock.seconds));
        }
        clock.seconds += 10;
    }

    byte[] dumpOf(int trans, int fromDate) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        c.dump(trans, fromDate, b);
        return b.toByteArray();
    }

    void restore(int trans, int flags, RestoreCookie cookie, byte[] dump) throws Exception {
        c.restore(trans, flags, cookie, new ByteArrayInputStream(dump));
    }

    /**
     * The target side of {@code vos shadow src -toid target [-incremental]} as in vos-flows.md §2.2,
     * with the source on this same server: probe, target transaction (created if absent, or deleted
     * and re-created for a full shadow), clone, forward of the clone, forward of the live source.
     */
    void shadow(int src, int target, String name, boolean incremental) throws Exception {
        // Each vos shadow is its own process: its own UDP port.
        VolserClient base = c;
        c = new VolserClient(new InProcessConnection(service.dispatcher(), 4, null,
            new java.net.InetSocketAddress("127.0.0.1", 40000 + nextPort++)));
        try {
            shadowAs(src, target, name, incremental);
        } finally {
            c = base;
        }
    }

    int nextPort;

    void shadowAs(int src, int target, String name, boolean incremental) throws Exception {
        try {
            c.listOneVolume(0, target);
        } catch (RpcException e) {
            assertEquals(VolserErrors.ENODEV, e.code());
        }
        int ft = c.transCreate(src, 0, VolserConstants.ITBusy);
        c.call(VolserOps.Clone, new VolserOps.CloneArgs(ft, 0, VolserConstants.ROVOL, "copy-clone-temp", CLONE));
        c.endTrans(ft);
        int ct = c.transCreate(CLONE, 0, VolserConstants.ITOffline);
        c.setFlags(ct, 3);
        int cloneCreation = c.getStatus(ct).creationDate();
        int fromDate = 0;
        Integer tt = null;
        try {
            tt = c.transCreate(target, 0, VolserConstants.ITOffline);
            if (incremental) {
                fromDate = c.getStatus(tt).updateDate() - 2;
            } else {
                c.deleteVolume(tt);
                c.endTrans(tt);
                tt = null;
            }
        } catch (RpcException e) {
            tt = null;
        }
        if (tt == null) {
            tt = c.createVolume(0, name, VolserConstants.RWVOL, target, target).trans();
            c.setFlags(tt, 3);
        }
        RestoreCookie cookie = new RestoreCookie(name, VolserConstants.RWVOL, 0, 0);
        try {
            restore(tt, fromDate != 0 ? 1 : 0, cookie, dumpOf(ct, fromDate));
            c.endTrans(ct);
            ft = c.transCreate(src, 0, VolserConstants.ITBusy);
            try {
                restore(tt, 1, cookie, dumpOf(ft, cloneCreation - 2));
                c.setFlags(tt, 0);
            } finally {
                c.endTrans(ft);
            }
        } finally {
            c.endTrans(tt);
            endQuietly(ct);
            int dt = c.transCreate(CLONE, 0, VolserConstants.ITOffline);
            c.deleteVolume(dt);
            c.endTrans(dt);
        }
        clock.seconds += 10;
    }

    void endQuietly(int trans) {
        try {
            c.endTrans(trans);
        } catch (Exception e) {
            // already ended
        }
    }

    /** Vnode number to (dataVersion, sha-256 of data); plus the header fields a shadow copies. */
    Map<String, String> contents(int id) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Volume v = part.openVolume(id)) {
            for (VnodeClass k : VnodeClass.values()) {
                v.index(k).forEach((vn, rec) -> {
                    String data = "";
                    if (rec.inode() != 0) {
                        try (InputStream in = v.openData(vn, rec)) {
                            data = sha256(in.readAllBytes());
                        }
                    }
                    out.put("vnode " + vn, rec.type() + "/" + rec.dataVersion() + "/" + data);
                });
            }
            VolumeDiskData d = v.readDiskData();
            out.put("header", "creation " + d.creationDate() + " update " + d.updateDate() + " files "
                + d.filecount() + " uniq " + d.uniquifier() + " inService " + d.inService());
        }
        return out;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The target's data, without the header line (a shadow's header is the source's). */
    Map<String, String> vnodes(int id) throws IOException {
        Map<String, String> m = contents(id);
        m.remove("header");
        return m;
    }

    ShadowLineage mark(int id) throws IOException {
        return LineageStore.read(part, id).orElseThrow();
    }

    List<Integer> preimages() throws IOException {
        return part.listVolumeIds().stream()
            .filter(i -> Integer.toUnsignedLong(i) >= ShadowRules.PREIMAGE_ID_BASE
                && Integer.toUnsignedLong(i) < ShadowRules.PREIMAGE_ID_BASE + 0x10000000L).toList();
    }

    @Test
    void fullThenIncrementalShadowRecordsTheLineage() throws Exception {
        makeSource(S, "src.one", 3, "a");
        int created = disk(S).creationDate();
        shadow(S, T, "shadow.one", false);
        ShadowLineage l = mark(T);
        assertEquals(S, l.sourceVolumeId());
        assertEquals(created, l.sourceCreationDate(), "filled in by the second (live) stream");
        assertEquals(disk(S).updateDate(), l.lastUpdate());
        assertEquals("127.0.0.1", l.sourceServer());
        assertEquals(vnodes(S), vnodes(T));
        int firstApply = l.lastApply();

        changeSource(S, "new-file");
        shadow(S, T, "shadow.one", true);
        ShadowLineage l2 = mark(T);
        assertEquals(disk(S).updateDate(), l2.lastUpdate());
        assertTrue(l2.lastApply() > firstApply);
        assertEquals(created, l2.sourceCreationDate());
        assertEquals(vnodes(S), vnodes(T));
        assertEquals(List.of(), preimages(), "the pre-image goes once the lineage is confirmed");

        List<String> status = ShadowStatus.lines(List.of(part));
        assertEquals(1, status.size(), status.toString());
        String line = status.get(0);
        assertTrue(line.startsWith(Integer.toUnsignedString(T) + " "), line);
        assertTrue(line.contains("shadow.one") && line.contains("/vicepa") && line.contains("127.0.0.1")
            && line.contains(" " + S + " ") && line.contains(LineageStore.date(created))
            && line.contains(LineageStore.date(l2.lastUpdate())) && line.contains(LineageStore.date(l2.lastApply())),
            line);
        assertTrue(volserLog().contains("Shadow volume " + T + " on /vicepa: applied incremental dump"), volserLog());

        // The operator's command, on this partition folder: list, then forget the mark of a promoted shadow.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
        Files.writeString(part.path().resolve("AlwaysAttach"), "");
        assertEquals(0, ShadowStatus.run(new String[] {"-partition-root", dir.toString()}, ps, ps));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(line), out.toString(StandardCharsets.UTF_8));
        assertEquals(1, ShadowStatus.run(new String[] {"-partition-root", dir.toString(), "-forget", "12"}, ps, ps),
            "no mark for 12");
        assertEquals(0, ShadowStatus.run(new String[] {"-partition-root", dir.toString(), "-forget",
            Integer.toUnsignedString(T)}, ps, ps));
        assertFalse(Files.exists(LineageStore.path(part, T)));
        assertEquals(List.of(), ShadowStatus.lines(List.of(part)));
        LineageStore.write(part, l2);

        // Deleting the shadow removes its mark.
        int dt = c.transCreate(T, 0, VolserConstants.ITOffline);
        c.deleteVolume(dt);
        c.endTrans(dt);
        assertFalse(Files.exists(LineageStore.path(part, T)));
    }

    /** Data files (not the special files) under AFSIDat, by path. */
    java.util.Set<String> dataFiles() throws IOException {
        try (var w = Files.walk(part.path().resolve("AFSIDat"))) {
            return w.filter(Files::isRegularFile).filter(f -> !f.getParent().getFileName().toString().equals("special"))
                .map(f -> part.path().relativize(f).toString()).collect(java.util.stream.Collectors.toCollection(
                    java.util.TreeSet::new));
        }
    }

    /** The "(vnodes: ...)" parts of the shadow apply log lines for {@code id} in {@code lg}, in order. */
    static List<String> applyCounts(String lg, int id) {
        List<String> out = new java.util.ArrayList<>();
        String key = "Shadow volume " + id + " on /vicepa: applied";
        for (int at = lg.indexOf(key); at >= 0; at = lg.indexOf(key, at + 1)) {
            int from = lg.indexOf("(vnodes: ", at);
            out.add(lg.substring(from, lg.indexOf(')', from) + 1));
        }
        return out;
    }

    @Test
    void aRefreshOfAnUnchangedSourceKeepsEveryFileAndTakesNoPreImage() throws Exception {
        makeSource(S, "src.one", 5, "a");
        shadow(S, T, "shadow.one", false);
        Map<String, String> before = contents(T);
        java.util.Set<String> files = dataFiles();
        String logBefore = volserLog();

        shadow(S, T, "shadow.one", true);
        assertEquals(vnodes(S), vnodes(T));
        assertEquals(before, contents(T));
        // The incremental streams re-send in full what changed in their from-date's second (here
        // every vnode): kept as the same files, not written again, and no pre-image clone taken.
        assertEquals(files, dataFiles(), "data files written or removed by a refresh of an unchanged source");
        String lg = volserLog().substring(logBefore.length());
        List<String> counts = applyCounts(lg, T);
        assertEquals(2, counts.size(), lg);
        for (String n : counts) {
            assertTrue(n.startsWith("(vnodes: 0 written, ") && !n.contains(" of which 0 re-sent"), n);
        }
        assertFalse(lg.contains("pre-image"), lg);
        assertEquals(List.of(), preimages());

        // A change after that: the clone's stream (its source updated since the last apply, so
        // not a confirmed lineage) is written as before; the live one, confirmed by its creation
        // date, re-sends what the first wrote and keeps it.
        changeSource(S, "later");
        String logMid = volserLog();
        shadow(S, T, "shadow.one", true);
        assertEquals(vnodes(S), vnodes(T));
        String lg2 = volserLog().substring(logMid.length());
        counts = applyCounts(lg2, T);
        assertEquals(2, counts.size(), counts.toString());
        assertEquals(1, lg2.split("Shadow lineage: pre-image ", -1).length - 1, "one pre-image, for the clone's stream: "
            + lg2);
        assertFalse(counts.get(0).startsWith("(vnodes: 0 written, "), counts.toString());
        assertTrue(counts.get(1).startsWith("(vnodes: 0 written, ") && !counts.get(1).contains(" of which 0 "),
            counts.toString());
    }

    @Test
    void aNormalRestoreNeitherMarksNorIsChecked() throws Exception {
        makeSource(S, "src.one", 2, "a");
        int ft = c.transCreate(S, 0, VolserConstants.ITBusy);
        byte[] full = dumpOf(ft, 0);
        c.endTrans(ft);
        // vos restore: CreateVolume + Restore with the cookie's parent set, no probe.
        int tt = c.createVolume(0, "restored.x", VolserConstants.RWVOL, T, T).trans();
        restore(tt, 1, new RestoreCookie("restored.x", VolserConstants.RWVOL, 0, T), full);
        c.setFlags(tt, 0);
        c.endTrans(tt);
        assertFalse(Files.exists(LineageStore.path(part, T)));
        // An incremental of another volume onto an unmarked volume stays the stock behaviour.
        makeSource(S2, "src.two", 1, "b");
        ft = c.transCreate(S2, 0, VolserConstants.ITBusy);
        byte[] incr = dumpOf(ft, 5);
        c.endTrans(ft);
        tt = c.transCreate(T, 0, VolserConstants.ITOffline);
        restore(tt, 1, new RestoreCookie("restored.x", VolserConstants.RWVOL, 0, T), incr);
        c.endTrans(tt);
        assertFalse(Files.exists(LineageStore.path(part, T)));
    }

    @Test
    void anIncrementalOfAnotherSourceIsRefusedAndTheTargetIsUntouched() throws Exception {
        makeSource(S, "src.one", 3, "a");
        makeSource(S2, "src.two", 2, "b");
        shadow(S, T, "shadow.one", false);
        Map<String, String> before = contents(T);
        ShadowLineage markBefore = mark(T);
        changeSource(S2, "other-change");
        int c1 = code(() -> shadow(S2, T, "shadow.one", true));
        assertEquals(VolserErrors.VOLSERBADOP, c1);
        assertEquals(before, contents(T));
        assertEquals(markBefore, mark(T));
        String lg = volserLog();
        assertTrue(lg.contains("is a shadow of source volume " + S) && lg.contains("of source volume " + S2), lg);
        // A normal incremental restore of the other volume (vos restore -overwrite incremental) too.
        int ft = c.transCreate(S2, 0, VolserConstants.ITBusy);
        byte[] incr = dumpOf(ft, 5);
        c.endTrans(ft);
        int tt = c.transCreate(T, 0, VolserConstants.ITOffline);
        assertEquals(VolserErrors.VOLSERBADOP,
            code(() -> restore(tt, 1, new RestoreCookie("shadow.one", VolserConstants.RWVOL, 0, T), incr)));
        c.endTrans(tt);
        assertEquals(before, contents(T));
        // The shadow still takes incrementals of its own source.
        changeSource(S, "own-change");
        shadow(S, T, "shadow.one", true);
        assertEquals(vnodes(S), vnodes(T));
    }

    @Test
    void aReCreatedSourceIsRefusedAndTheTargetPutBackFromThePreImage() throws Exception {
        makeSource(S, "src.one", 3, "a");
        shadow(S, T, "shadow.one", false);
        Map<String, String> before = contents(T);
        ShadowLineage markBefore = mark(T);
        part.deleteVolume(S);
        makeSource(S, "src.one", 4, "z");
        assertNotEquals(markBefore.sourceCreationDate(), disk(S).creationDate());
        assertEquals(VolserErrors.VOLSERBADOP, code(() -> shadow(S, T, "shadow.one", true)));
        assertEquals(before, contents(T), "the first (clone) stream was applied, then undone");
        assertEquals(markBefore, mark(T));
        assertEquals(List.of(), preimages());
        assertEquals(0, disk(T).inUse());
        String lg = volserLog();
        assertTrue(lg.contains("put back as it was before this shadow's first stream"), lg);
    }

    @Test
    void anIncrementalShadowOntoAnUnmarkedVolumeIsRefused() throws Exception {
        makeSource(S, "src.one", 2, "a");
        makeSource(T, "not.a.shadow", 1, "q");
        Map<String, String> before = contents(T);
        assertEquals(VolserErrors.VOLSERBADOP, code(() -> shadow(S, T, "not.a.shadow", true)));
        assertEquals(before, contents(T));
        assertTrue(volserLog().contains("is not marked as a shadow"), volserLog());
    }

    @Test
    void aDamagedMarkRefusesIncrementalsButTheVolumeIsStillServed() throws Exception {
        makeSource(S, "src.one", 2, "a");
        shadow(S, T, "shadow.one", false);
        Path f = LineageStore.path(part, T);
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 20));
        Map<String, String> before = contents(T);
        changeSource(S, "later");
        assertEquals(VolserErrors.VOLSERBADOP, code(() -> shadow(S, T, "shadow.one", true)));
        assertEquals(before, contents(T));
        assertTrue(volserLog().contains("its shadow mark cannot be read"), volserLog());
        // Served as before: listed, dumpable.
        assertEquals("shadow.one", c.listOneVolume(0, T).get(0).name());
        int rt = c.transCreate(T, 0, VolserConstants.ITReadOnly);
        assertTrue(dumpOf(rt, 0).length > 0);
        c.endTrans(rt);
        List<String> status = ShadowStatus.lines(List.of(part));
        assertTrue(status.get(0).contains("DAMAGED MARK") && status.get(0).contains("truncated"), status.toString());
        // A full shadow re-seeds the mark.
        shadow(S, T, "shadow.one", false);
        assertEquals(S, mark(T).sourceVolumeId());
        assertEquals(vnodes(S), vnodes(T));
    }

    VolserClient vosProcess(int port) {
        return vosProcess(port, InProcessConnection.DEFAULT_EPOCH);
    }

    /** A vos process with its own Rx epoch: OpenAFS picks one per process. */
    VolserClient vosProcess(int port, int epoch) {
        return new VolserClient(new InProcessConnection(service.dispatcher(), 4, null,
            new java.net.InetSocketAddress("127.0.0.1", port), epoch));
    }

    /**
     * Two short-lived vos processes that the kernel gave the same ephemeral port within seconds (one
     * lists S, exits; the next lists S and opens a transaction on it) are told apart by their Rx
     * epochs; a single process making the same three calls is still refused.
     */
    @Test
    void aReusedPortWithAnotherEpochIsAnotherVos() throws Exception {
        makeSource(S, "src.one", 2, "a");
        vosProcess(41003, 0x11110001).listOneVolume(0, S);
        VolserClient next = vosProcess(41003, 0x11110002);
        next.listOneVolume(0, S);
        next.endTrans(next.transCreate(S, 0, VolserConstants.ITBusy));
        VolserClient same = vosProcess(41004, 0x22220001);
        same.listOneVolume(0, S);
        vosProcess(41004, 0x22220001).listOneVolume(0, S);
        assertEquals(VolserErrors.VOLSERBADOP, code(() -> same.transCreate(S, 0, VolserConstants.ITBusy)),
            "same address, port and epoch: one vos probing S as source and target");
    }

    /**
     * A long-lived client that lists one volume now and then is not a vos shadow onto its own source:
     * the self-shadow sign needs the two probes within ShadowIntents.PAIR_WINDOW of each other and
     * the transaction within GUARD_WINDOW of the second probe.
     */
    @Test
    void slowRepeatedListingsAreNotTakenForASelfShadow() throws Exception {
        makeSource(S, "src.one", 2, "a");
        VolserClient tool = vosProcess(41002);
        tool.listOneVolume(0, S);
        clock.seconds += ShadowIntents.PAIR_WINDOW + 1;
        tool.listOneVolume(0, S);
        tool.endTrans(tool.transCreate(S, 0, VolserConstants.ITBusy));
        // probes in quick succession, but the transaction comes long after them
        tool.listOneVolume(0, S);
        tool.listOneVolume(0, S);
        clock.seconds += ShadowIntents.GUARD_WINDOW + 1;
        tool.endTrans(tool.transCreate(S, 0, VolserConstants.ITBusy));
        // the same pattern within both windows is the vos shadow signature, refused
        tool.listOneVolume(0, S);
        tool.listOneVolume(0, S);
        assertEquals(VolserErrors.VOLSERBADOP, code(() -> tool.transCreate(S, 0, VolserConstants.ITBusy)));
    }

    @Test
    void aShadowOntoItsOwnSourceIsRefusedBeforeAnythingIsDeleted() throws Exception {
        makeSource(S, "src.one", 3, "a");
        Map<String, String> before = contents(S);
        VolumeDiskData headerBefore = disk(S);
        // vos probed S on this partition as source and as target: the first TransCreate is refused.
        VolserClient vos1 = vosProcess(41000);
        vos1.listOneVolume(0, S);
        vos1.listOneVolume(0, S);
        assertEquals(VolserErrors.VOLSERBADOP, code(() -> vos1.transCreate(S, 0, VolserConstants.ITBusy)));
        assertEquals(VolserErrors.VOLSERBADOP, code(() -> vos1.transCreate(S, 0, VolserConstants.ITOffline)));
        assertEquals(VolserErrors.VOLSERBADOP,
            code(() -> vos1.createVolume(0, "src.one", VolserConstants.RWVOL, S, S)));
        assertEquals(headerBefore.cloneId(), disk(S).cloneId(), "not even the clone step ran");
        // A vos seen probing once but holding the temporary clone of S asks for S as target.
        VolserClient vos2 = vosProcess(41001);
        vos2.listOneVolume(0, S);
        int ft = vos2.transCreate(S, 0, VolserConstants.ITBusy);
        vos2.call(VolserOps.Clone, new VolserOps.CloneArgs(ft, 0, VolserConstants.ROVOL, "copy-clone-temp", CLONE));
        vos2.endTrans(ft);
        int ct = vos2.transCreate(CLONE, 0, VolserConstants.ITOffline);
        vos2.setFlags(ct, 3);
        assertEquals(VolserErrors.VOLSERBADOP, code(() -> vos2.transCreate(S, 0, VolserConstants.ITOffline)));
        assertEquals(VolserErrors.VOLSERBADOP,
            code(() -> vos2.createVolume(0, "src.one", VolserConstants.RWVOL, S, S)));
        vos2.endTrans(ct);
        assertEquals(before, contents(S));
        assertTrue(volserLog().contains("Shadow onto its own source refused"), volserLog());
        // Other vos processes are not affected.
        int again = c.transCreate(S, 0, VolserConstants.ITOffline);
        c.endTrans(again);
    }

    @Test
    void preImagesLeftByACrashAreDeletedAtStart() throws Exception {
        makeSource(S, "src.one", 1, "a");
        int id = (int) ShadowRules.PREIMAGE_ID_BASE + 5;
        try (Volume v = part.cloneVolume(S, id, d -> d.name(ShadowRules.PREIMAGE_NAME))) {
            v.readDiskData();
        }
        int other = (int) ShadowRules.PREIMAGE_ID_BASE + 6;
        try (Volume v = part.cloneVolume(S, other, d -> d.name("someone.else"))) {
            v.readDiskData();
        }
        assertEquals(List.of(id), ShadowRules.removeLeftoverPreimages(part, log));
        assertFalse(part.volumeExists(id));
        assertTrue(part.volumeExists(other), "only our pre-images are deleted");
    }
}
