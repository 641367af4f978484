package lnlb.core.internal.engine;

import java.util.ArrayList;
import java.util.List;
import lnlb.core.internal.wire.View.Member;

/** Converts between the engine's {@link View} and the wire's record of it. */
final class WireViews {
    private WireViews() {
    }

    static View toView(lnlb.core.internal.wire.View wire) {
        long[] nodes = new long[wire.members().size()];
        int[] weights = new int[nodes.length];
        boolean[] draining = new boolean[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = wire.members().get(i).node();
            weights[i] = wire.members().get(i).weight();
            draining[i] = wire.members().get(i).draining();
        }
        PortRules rules = wire.rules().isEmpty() ? PortRules.DEFAULT : PortRules.ofText(wire.rules());
        return new View(wire.epoch(), nodes, weights, draining, rules);
    }

    static lnlb.core.internal.wire.View toWire(View view) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < view.size(); i++) {
            members.add(new Member(view.member(i), view.weight(i), view.draining(i)));
        }
        String rules = view.rules().equals(PortRules.DEFAULT) ? "" : view.rules().text();
        return new lnlb.core.internal.wire.View(view.epoch(), members, rules);
    }
}
