package io.kvs.http.api;

import org.eclipse.jetty.util.MultiMap;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Decodes an {@code application/x-www-form-urlencoded} body as Jetty's {@code
 * UrlEncoded.decodeUtf8To} does, but a field at a time rather than a byte at a time through a
 * UTF-8 builder, because values reach a MiB and most of them are one run of plain characters: a
 * field without escapes is one array copy; one with escapes ({@code %XX}, {@code +}) is
 * unescaped into bytes first, then read as UTF-8. Where Jetty is lenient (a '%' followed by a
 * character that is not a hex digit; an incomplete UTF-8 sequence at a field's end, which it
 * makes U+FFFD or drops) this refuses: either would store something the client did not send.
 */
final class FormBody {
    private FormBody() {
    }

    /**
     * The fields of {@code body}: split at '&amp;', each at its first '=' (a field without one is
     * a name with an empty value; an empty field is skipped).
     *
     * @throws CharacterCodingException if a field is not UTF-8
     * @throws IllegalArgumentException if a field holds a malformed escape
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

    /** The text of the field in {@code [from, to)}, unescaped. */
    private static String text(byte[] bytes, int from, int to) throws CharacterCodingException {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '%' || bytes[i] == '+') {
                byte[] unescaped = unescape(bytes, from, to);
                return utf8(unescaped, 0, unescaped.length);
            }
        }
        return utf8(bytes, from, to);
    }

    /** The bytes of {@code [from, to)} with each {@code %XX} made the byte it names and each '+' a space. */
    private static byte[] unescape(byte[] bytes, int from, int to) {
        byte[] out = new byte[to - from];
        int length = 0;
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b == '+') {
                out[length++] = ' ';
            } else if (b == '%') {
                int high = to - i < 3 ? -1 : hexValue(bytes[i + 1]);
                int low = to - i < 3 ? -1 : hexValue(bytes[i + 2]);
                if (high < 0 || low < 0) {
                    throw new IllegalArgumentException("not a valid escape '"
                            + new String(bytes, i, Math.min(3, to - i), StandardCharsets.ISO_8859_1) + "'");
                }
                out[length++] = (byte) (high << 4 | low);
                i += 2;
            } else {
                out[length++] = b;
            }
        }
        return length == out.length ? out : Arrays.copyOf(out, length);
    }

    /** The value of a hex digit, or -1 for any other byte. */
    private static int hexValue(byte b) {
        return HexFormat.isHexDigit(b) ? HexFormat.fromHexDigit(b) : -1;
    }

    /** {@code [from, to)} as UTF-8, strictly: ASCII (the common case) is one array copy. */
    private static String utf8(byte[] bytes, int from, int to) throws CharacterCodingException {
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
