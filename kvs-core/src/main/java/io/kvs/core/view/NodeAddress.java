package io.kvs.core.view;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A node's identity: the {@code ip:port} its HTTP API listens on, as written in {@code VIEW}.
 *
 * <p>The host is an IPv4 address in dotted decimal without leading zeros, or a host name (labels
 * of letters, digits, hyphens and underscores, as container names have), kept in lower case;
 * the port is 1 to 65535 in plain decimal. Anything else is refused rather than guessed at, so
 * that one node has exactly one name: {@code 127.0.0.011:8080} or {@code Node1:08080} is not
 * another spelling of a node already in the view, and no stray space or line break reaches a
 * view.
 */
public record NodeAddress(String host, int port) {
    private static final Pattern IPV4 = Pattern.compile("(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
            + "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    private static final Pattern NUMERIC = Pattern.compile("[0-9.]+");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern PORT = Pattern.compile("[1-9][0-9]{0,4}");
    private static final int MAX_HOST_LENGTH = 253;

    public NodeAddress {
        host = host == null ? null : host.toLowerCase(Locale.ROOT);
        if (host == null || !isHost(host)) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "ip_port must be host:port with an IPv4 address or a host "
                    + "name, got host '" + (host == null ? null : printable(host)) + "'");
        }
        if (port < 1 || port > 65535) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "ip_port must be host:port with a port in 1..65535");
        }
    }

    /** Parses {@code host:port} exactly; anything else is a {@link ErrorCode#BAD_REQUEST}. */
    public static NodeAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "ip_port is missing");
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || !PORT.matcher(text.substring(colon + 1)).matches()) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "ip_port must be host:port, got '" + printable(text) + "'");
        }
        return new NodeAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }

    private static boolean isHost(String host) {
        if (host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
            return false;
        }
        if (NUMERIC.matcher(host).matches()) {
            return IPV4.matcher(host).matches();
        }
        for (String label : host.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** The text as it may go into an error message: control characters shown, and not too long. */
    private static String printable(String text) {
        String shown = text.length() > 100 ? text.substring(0, 100) + "..." : text;
        StringBuilder out = new StringBuilder();
        shown.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
