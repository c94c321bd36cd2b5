package leasekv.checker.edn;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Interns keywords straight from bytes, so the hot path of a history does not allocate strings. */
final class KeywordTable {
    private byte[][] names = new byte[256][];
    private Keyword[] keywords = new Keyword[256];
    private int size;

    Keyword intern(byte[] bytes, int length) {
        int mask = names.length - 1;
        int slot = hash(bytes, length) & mask;
        while (names[slot] != null) {
            if (matches(names[slot], bytes, length)) {
                return keywords[slot];
            }
            slot = (slot + 1) & mask;
        }
        Keyword keyword = Keyword.of(new String(bytes, 0, length, StandardCharsets.UTF_8));
        if (size < 4096) {
            names[slot] = Arrays.copyOf(bytes, length);
            keywords[slot] = keyword;
            if (++size * 2 > names.length) {
                grow();
            }
        }
        return keyword;
    }

    private void grow() {
        byte[][] oldNames = names;
        Keyword[] oldKeywords = keywords;
        names = new byte[oldNames.length * 2][];
        keywords = new Keyword[oldNames.length * 2];
        int mask = names.length - 1;
        for (int i = 0; i < oldNames.length; i++) {
            if (oldNames[i] != null) {
                int slot = hash(oldNames[i], oldNames[i].length) & mask;
                while (names[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                names[slot] = oldNames[i];
                keywords[slot] = oldKeywords[i];
            }
        }
    }

    private static int hash(byte[] bytes, int length) {
        int h = 0x9747b28c;
        for (int i = 0; i < length; i++) {
            h = (h ^ bytes[i]) * 0x01000193;
        }
        return h ^ (h >>> 15);
    }

    private static boolean matches(byte[] name, byte[] bytes, int length) {
        if (name.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (name[i] != bytes[i]) {
                return false;
            }
        }
        return true;
    }
}
