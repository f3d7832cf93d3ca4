package io.kvs.core.view;

import java.util.ArrayList;
import java.util.List;

/** View fixtures for tests. */
final class Views {
    private Views() {
    }

    static List<NodeAddress> nodes(int first, int count) {
        List<NodeAddress> nodes = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            nodes.add(new NodeAddress("10.0." + (i / 200) + "." + (i % 200 + 1), 8080));
        }
        return nodes;
    }
}
