package afsdr.volser.server;

/**
 * What a group of volser procedures works with: the server's context, the transaction rules every
 * group shares ({@link Transactions}), and the context's log and transaction table, named here
 * because nearly every procedure uses them.
 */
abstract class ProcGroup {
    final VolserContext ctx;
    final Transactions tx;
    final VolserLog log;
    final TransactionTable table;

    ProcGroup(VolserContext ctx, Transactions tx) {
        this.ctx = ctx;
        this.tx = tx;
        this.log = ctx.log;
        this.table = ctx.table;
    }
}
