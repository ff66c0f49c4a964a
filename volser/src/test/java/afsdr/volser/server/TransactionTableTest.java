package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The transaction rules of volser.md §5, without sockets or disks. */
class TransactionTableTest {
    static final int T0 = 1_800_000_000;

    @Test
    void idsCountUpFromOneAndOnePerVolumeAndPartition() throws Exception {
        TransactionTable tt = new TransactionTable();
        Transaction a = tt.create(536870912, 0, 1, "TransCreate", T0);
        assertEquals(1, a.tid);
        TransactionTable.BusyException busy = assertThrows(TransactionTable.BusyException.class,
            () -> tt.create(536870912, 0, 2, "TransCreate", T0));
        assertSame(a, busy.holder);
        // Another partition is another volume as far as transactions go.
        Transaction b = tt.create(536870912, 1, 1, "TransCreate", T0);
        assertEquals(2, b.tid);
        assertTrue(tt.end(a));
        assertTrue(tt.end(b));
        Transaction c = tt.create(536870912, 0, 1, "TransCreate", T0);
        assertEquals(3, c.tid, "ids are never reused");
    }

    @Test
    void unknownAndEndedTransactionsAreNotFound() throws Exception {
        TransactionTable tt = new TransactionTable();
        assertNull(tt.acquire(7, "GetStatus", T0));
        Transaction a = tt.create(5, 0, 1, "TransCreate", T0);
        tt.release(a, T0);
        Transaction again = tt.acquire(a.tid, "GetStatus", T0 + 1);
        assertSame(a, again);
        assertEquals("GetStatus", tt.lastProc(a));
        assertTrue(tt.end(again));
        assertNull(tt.acquire(a.tid, "GetStatus", T0 + 2));
        assertNull(tt.holder(5, 0));
    }

    @Test
    void endWhileAnotherCallHoldsItDefersToTheLastRelease() throws Exception {
        TransactionTable tt = new TransactionTable();
        Transaction a = tt.create(5, 0, 1, "TransCreate", T0);
        tt.release(a, T0);
        Transaction inDump = tt.acquire(a.tid, "Dump", T0);
        Transaction inEnd = tt.acquire(a.tid, "EndTrans", T0);
        assertFalse(tt.end(inEnd), "the dump still runs");
        assertNull(tt.acquire(a.tid, "GetStatus", T0), "but nobody new may use it");
        assertTrue(tt.release(inDump, T0), "the dump's release ends it");
        assertNull(tt.holder(5, 0));
    }

    @Test
    void reaperTakesOnlyIdleOldTransactions() throws Exception {
        TransactionTable tt = new TransactionTable();
        Transaction idle = tt.create(1, 0, 1, "TransCreate", T0);
        tt.release(idle, T0);
        Transaction busy = tt.create(2, 0, 1, "TransCreate", T0);   // an RPC still runs on it
        Transaction young = tt.create(3, 0, 1, "TransCreate", T0 + 500);
        tt.release(young, T0 + 500);
        assertEquals(List.of(), tt.reap(T0 + TransactionTable.OLDTRANSTIME));
        assertEquals(List.of(idle), tt.idleOver(TransactionTable.OLDTRANSWARN, T0 + TransactionTable.OLDTRANSWARN + 1));
        assertEquals(List.of(idle), tt.reap(T0 + TransactionTable.OLDTRANSTIME + 1));
        assertNull(tt.acquire(idle.tid, "GetStatus", T0 + 700));
        assertEquals(List.of(busy, young), tt.all());
        assertEquals(List.of(busy, young), tt.drain());
        assertEquals(List.of(), tt.all());
    }
}
