package io.kvs.core.view;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeAddressTest {

    @Test
    void parsesHostAndPort() {
        NodeAddress a = NodeAddress.parse("10.0.0.21:8080");
        assertEquals("10.0.0.21", a.host());
        assertEquals(8080, a.port());
        assertEquals("10.0.0.21:8080", a.toString());
        assertEquals(new NodeAddress("kvs_node-1.example", 1), NodeAddress.parse("kvs_node-1.example:1"));
        assertEquals(65535, NodeAddress.parse("0.0.0.0:65535").port());
    }

    @Test
    void hostNamesAreKeptInLowerCaseSoANodeHasOneName() {
        assertEquals(NodeAddress.parse("node1:8080"), NodeAddress.parse("NODE1:8080"));
        assertEquals("node1:8080", NodeAddress.parse("Node1:8080").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "10.0.0.21", "10.0.0.21:", ":8080", "10.0.0.21:http", "10.0.0.21:0",
            "10.0.0.21:70000", "a:b:c", "a,b:1", "a b:8080", "127.0.0.11 :8080", " 127.0.0.11:8080",
            "127.0.0.11:8080\n", "127.0.0.11:8080 ", "127.0.0.011:8080", "127.0.0.11:08080", "127.0.0.11:+80",
            "256.0.0.1:80", "1.2.3:80", "1.2.3.4.5:80", "-node:80", "node-:80", "a..b:80", ".a:80", "a.:80",
            "[::1]:80", "n\u00e9:80", "n\u0000:80", "10.0.0.21:-1", "10.0.0.21:99999999999"})
    void rejectsAnythingElseAsBadRequest(String text) {
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(KvsException.class, () -> NodeAddress.parse(text)).code());
    }

    @Test
    void missingIsBadRequest() {
        KvsException e = assertThrows(KvsException.class, () -> NodeAddress.parse(null));
        assertEquals(400, e.httpStatus());
    }

    /** Random text either parses to an address that prints back as the same text, or is a bad request. */
    @Test
    void randomTextParsesExactlyOrNotAtAll() {
        Random random = new Random(17);
        String alphabet = "0123456789.:abcXYZ_- \n\t,[]%";
        int parsed = 0;
        for (int i = 0; i < 100_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(24);
            for (int j = 0; j < length; j++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            try {
                NodeAddress address = NodeAddress.parse(text.toString());
                assertEquals(text.toString().toLowerCase(java.util.Locale.ROOT), address.toString());
                parsed++;
            } catch (KvsException e) {
                assertEquals(ErrorCode.BAD_REQUEST, e.code(), text.toString());
            }
        }
        assertTrue(parsed > 100, "some random text was an address: " + parsed);
    }
}
