package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient.Reply;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every write the cluster acknowledged, with its last acknowledged value, to check that none is
 * lost; and every acknowledged delete, to check that its key stays missing.
 */
final class AckedWrites {
    private final KvsClient client;
    private final Map<String, String> acked = new ConcurrentHashMap<>();
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();

    AckedWrites(KvsClient client) {
        this.client = client;
    }

    /** Writes {@code count} keys round-robin through {@code via}; each must be acknowledged. */
    void write(String prefix, int count, List<NodeAddress> via) {
        for (int i = 0; i < count; i++) {
            String key = prefix + "_" + i;
            String value = prefix + "-" + i + "-" + System.nanoTime();
            Reply put = client.put(via.get(i % via.size()), key, value, "");
            assertTrue(put.isSuccess(), key + ": " + put);
            acked.put(key, value);
            deleted.remove(key);
        }
    }

    /** Deletes every {@code every}-th acknowledged key of {@code prefix} through {@code via}; each must be acknowledged. */
    void delete(String prefix, int every, List<NodeAddress> via) {
        List<String> keys = acked.keySet().stream().filter(k -> k.startsWith(prefix + "_")).sorted().toList();
        for (int i = 0; i < keys.size(); i += every) {
            String key = keys.get(i);
            Reply delete = client.delete(via.get(i % via.size()), key, "");
            assertEquals(200, delete.status(), key + ": " + delete);
            acked.remove(key);
            deleted.add(key);
        }
    }

    void record(String key, String value) {
        acked.put(key, value);
    }

    void forget(String key) {
        acked.remove(key);
    }

    /** The keys acknowledged and not deleted since. */
    int size() {
        return acked.size();
    }

    int deletedCount() {
        return deleted.size();
    }

    /** Every acknowledged key reads back, through the given nodes, with its last value. */
    void assertAllReadable(List<NodeAddress> via, String when) {
        List<String> wrong = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, String> entry : acked.entrySet()) {
            Reply get = client.get(via.get(i++ % via.size()), entry.getKey(), "");
            if (get.status() != 200 || !entry.getValue().equals(get.string("value"))) {
                wrong.add(entry.getKey() + " -> " + get);
            }
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())),
                when + ": " + wrong.size() + " of " + acked.size() + " acknowledged writes not readable with their last value");
        for (String key : deleted) {
            Reply get = client.get(via.get(i++ % via.size()), key, "");
            if (get.status() != 404) {
                wrong.add(key + " -> " + get);
            }
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())),
                when + ": " + wrong.size() + " of " + deleted.size() + " deleted keys read back");
    }
}
