package io.kvs.http.api;

import org.eclipse.jetty.util.MultiMap;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes a form body that holds no escapes ({@code %} or {@code +}) the way Jetty's
 * {@code UrlEncoded.decodeUtf8To} does, field for field, but a field at a time rather than a
 * byte at a time through a UTF-8 builder: a value of up to a MiB is one array copy. A body with
 * escapes is left to Jetty.
 */
final class PlainForm {
    private PlainForm() {
    }

    /** Whether the body holds an escape, so that it must be decoded by Jetty. */
    static boolean hasEscapes(byte[] body) {
        for (byte b : body) {
            if (b == '%' || b == '+') {
                return true;
            }
        }
        return false;
    }

    /**
     * The fields of a body without escapes: split at '&', each at its first '=' (a field without
     * one is a name with an empty value; an empty field is skipped).
     *
     * @throws CharacterCodingException if a field is not UTF-8
     * @throws IllegalStateException if the body names more than {@code maxFields} fields
     */
    static MultiMap<String> decode(byte[] body, int maxFields) throws CharacterCodingException {
        MultiMap<String> form = new MultiMap<>();
        int start = 0;
        while (start <= body.length) {
            int end = indexOf(body, (byte) '&', start, body.length);
            int equals = indexOf(body, (byte) '=', start, end);
            if (equals < end) {
                form.add(text(body, start, equals), text(body, equals + 1, end));
            } else if (end > start) {
                form.add(text(body, start, end), "");
            }
            if (form.size() > maxFields) {
                throw new IllegalStateException("more than " + maxFields + " fields");
            }
            start = end + 1;
        }
        return form;
    }

    /** The first {@code b} in {@code [from, to)}, or {@code to}. */
    private static int indexOf(byte[] bytes, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return to;
    }

    private static String text(byte[] bytes, int from, int to) throws CharacterCodingException {
        for (int i = from; i < to; i++) {
            if (bytes[i] < 0) {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, from, to - from)).toString();
            }
        }
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
