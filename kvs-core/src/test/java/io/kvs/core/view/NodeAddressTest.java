package io.kvs.core.view;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NodeAddressTest {

    @Test
    void parsesHostAndPort() {
        NodeAddress a = NodeAddress.parse("10.0.0.21:8080");
        assertEquals("10.0.0.21", a.host());
        assertEquals(8080, a.port());
        assertEquals("10.0.0.21:8080", a.toString());
        assertEquals(a, NodeAddress.parse(" 10.0.0.21:8080 "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "10.0.0.21", "10.0.0.21:", ":8080", "10.0.0.21:http", "10.0.0.21:0",
            "10.0.0.21:70000", "a:b:c", "a,b:1"})
    void rejectsAnythingElseAsBadRequest(String text) {
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(KvsException.class, () -> NodeAddress.parse(text)).code());
    }

    @Test
    void missingIsBadRequest() {
        KvsException e = assertThrows(KvsException.class, () -> NodeAddress.parse(null));
        assertEquals(400, e.httpStatus());
    }
}
