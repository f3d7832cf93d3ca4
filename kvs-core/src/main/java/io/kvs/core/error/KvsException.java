package io.kvs.core.error;

/** A failure the store reports to its caller as {@code {"result":"error","error":...}}. */
public final class KvsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public KvsException(ErrorCode code) {
        this(code, code.defaultMessage());
    }

    public KvsException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public int httpStatus() {
        return code.httpStatus();
    }
}
