package io.kvs.core.view;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ViewTest {

    @Test
    void specExampleFourNodesTwoReplicas() {
        List<NodeAddress> nodes = Views.nodes(0, 4);
        View view = View.initial(nodes, 2);
        assertEquals(2, view.partitionCount());
        assertEquals(nodes.subList(0, 2), view.partition(0).members());
        assertEquals(nodes.subList(2, 4), view.partition(1).members());
        assertEquals(List.of(), view.proxies());
        assertEquals(1, view.partitionIdOf(nodes.get(3)));
    }

    @Test
    void sevenNodesTwoReplicasHaveOneProxy() {
        List<NodeAddress> nodes = Views.nodes(0, 7);
        View view = View.initial(nodes, 2);
        assertEquals(3, view.partitionCount());
        assertEquals(List.of(nodes.get(6)), view.proxies());
        assertEquals(-1, view.partitionIdOf(nodes.get(6)));
    }

    @Test
    void fewerNodesThanReplicasMakeOneDegradedPartition() {
        List<NodeAddress> nodes = Views.nodes(0, 2);
        View view = View.initial(nodes, 3);
        assertEquals(1, view.partitionCount());
        assertEquals(nodes, view.partition(0).members());
    }

    @Test
    void unknownPartitionIsNotFound() {
        View view = View.initial(Views.nodes(0, 4), 2);
        assertEquals(ErrorCode.PARTITION_NOT_FOUND, assertThrows(KvsException.class, () -> view.partition(2)).code());
        assertEquals(ErrorCode.PARTITION_NOT_FOUND, assertThrows(KvsException.class, () -> view.partition(-1)).code());
    }
}
