package io.kvs.cli;

/** A command that cannot be carried out: its message is printed, and the command exits with status 2. */
final class CliException extends RuntimeException {
    CliException(String message) {
        super(message);
    }
}
