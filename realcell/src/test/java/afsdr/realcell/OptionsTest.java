package afsdr.realcell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Plain unit tests: no namespace needed. */
class OptionsTest {

    @Test
    void defaultsAreAllStockNodesWithoutAuth() {
        RealCell.Options o = RealCell.Options.defaults();
        assertEquals(List.of(RealCell.DB, RealCell.FS1, RealCell.FS2), List.copyOf(o.stockNodes()));
        assertEquals(false, o.auth());
        assertEquals(Set.of(RealCell.DB), o.withStockNodes(RealCell.DB).stockNodes());
        assertTrue(o.withAuth(true).auth());
        assertEquals(o, RealCell.Options.defaults().withStockNodes(RealCell.FS2, RealCell.DB, RealCell.FS1));
    }

    @Test
    void fileserversNeedTheDatabaseNode() {
        assertThrows(IllegalArgumentException.class, () -> RealCell.Options.defaults().withStockNodes(RealCell.FS1));
    }

    @Test
    void onlyStockNodesCanBeStarted() {
        assertThrows(IllegalArgumentException.class,
                () -> RealCell.Options.defaults().withStockNodes(RealCell.DB, RealCell.J1));
    }

    @Test
    void execResultOrFailCarriesTheOutput() {
        ExecResult bad = new ExecResult("client", List.of("vos", "examine", "x"), 255, "", "VLDB: no such entry\n",
                false, java.time.Duration.ofMillis(12));
        AssertionError e = assertThrows(AssertionError.class, bad::orFail);
        assertTrue(e.getMessage().contains("exit 255") && e.getMessage().contains("no such entry"), e.getMessage());
    }
}
