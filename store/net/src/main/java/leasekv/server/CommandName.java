package leasekv.server;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The commands the server knows, matched case-insensitively without allocating a String. */
enum CommandName {
    GET, SET, PING, DEL, CAS, RPUSH, LRANGE, READ, REQ, ROLE, INFO, ADMIN, QUIT, CONFIG;

    private final byte[] upper = name().getBytes(StandardCharsets.US_ASCII);
    private static final CommandName[] ALL = values();

    /** The lower-case name, as Redis uses in error messages. */
    String lower() {
        return name().toLowerCase(Locale.ROOT);
    }

    static CommandName lookup(byte[] name) {
        for (CommandName candidate : ALL) {
            if (candidate.matches(name)) {
                return candidate;
            }
        }
        return null;
    }

    private boolean matches(byte[] name) {
        if (name.length != upper.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            int c = name[i];
            if (c >= 'a' && c <= 'z') {
                c -= 'a' - 'A';
            }
            if (c != upper[i]) {
                return false;
            }
        }
        return true;
    }
}
