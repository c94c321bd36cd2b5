package leasekv.checker.edn;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small streaming EDN reader, written for speed on large Jepsen histories: it works on bytes, interns
 * keywords without building strings, and caches small integers.
 *
 * <p>It yields: {@code null}, {@link Boolean}, {@link Long} (or {@link BigInteger} when too large),
 * {@link Double}, {@link BigDecimal}, {@link String}, {@link Character}, {@link Keyword}, {@link Symbol},
 * {@link Tagged}, {@link EdnVector} (for vectors and lists), {@link Map} (insertion-ordered) and
 * {@link Set}. Comments ({@code ;}), commas and {@code #_} discards are skipped.
 */
public final class EdnReader implements Closeable {
    /** Returned by {@link #read()} at the end of the input. */
    public static final Object EOF = new Object() {
        @Override
        public String toString() {
            return "<end of input>";
        }
    };
    private static final Object CLOSE = new Object();
    private static final int NO_CLOSER = -2;
    private static final Long[] SMALL_LONGS = new Long[4096 + 128];

    static {
        for (int i = 0; i < SMALL_LONGS.length; i++) {
            SMALL_LONGS[i] = (long) (i - 128);
        }
    }

    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private long bufStartOffset;
    private long line = 1;
    private long lineStartOffset;
    private byte[] scratch = new byte[256];
    private long plainLong;
    private int scratchLength;
    private final KeywordTable keywords = new KeywordTable();

    public EdnReader(InputStream in) {
        this.in = in;
    }

    /** Reads the single form in {@code text}; fails if there is none or more than one. */
    public static Object readString(String text) {
        try (EdnReader reader = new EdnReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))) {
            Object form = reader.read();
            if (form == EOF) {
                throw reader.error("expected an EDN value, found nothing");
            }
            if (reader.read() != EOF) {
                throw reader.error("expected one EDN value, found more");
            }
            return form;
        }
    }

    /** Reads every top-level form in {@code text}. */
    public static List<Object> readAll(String text) {
        try (EdnReader reader = new EdnReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))) {
            List<Object> forms = new ArrayList<>();
            for (Object form = reader.read(); form != EOF; form = reader.read()) {
                forms.add(form);
            }
            return forms;
        }
    }

    /** The next top-level form, or {@link #EOF}. */
    public Object read() {
        return readForm(NO_CLOSER);
    }

    /**
     * Skips whitespace, comments and discards, then returns the next byte without consuming it, or -1 at
     * the end. Lets a caller stream the elements of a top-level vector one by one.
     */
    public int peekForm() {
        while (true) {
            int c = skipWhitespace();
            if (c == '#' && peekSecond() == '_') {
                pos += 2;
                discardNextForm();
                continue;
            }
            return c;
        }
    }

    /** Consumes the byte {@link #peekForm()} returned. */
    public void consume() {
        pos++;
    }

    /** Reads the next element of a collection closed by {@code closer}; null-safe: returns {@code closedMarker} at the closer. */
    public Object readElement(char closer, Object closedMarker) {
        Object form = readForm(closer);
        return form == CLOSE ? closedMarker : form;
    }

    /** Receives the entries of a map read by {@link #readMapEntries}. */
    public interface MapVisitor {
        void entry(Object key, Object value);

        /** Whether an integer value of {@code key} should come to {@link #longEntry}, without boxing. */
        default boolean wantsLong(Object key) {
            return false;
        }

        /** An entry whose value is an integer that fits a long, for a key {@link #wantsLong} chose. */
        default void longEntry(Object key, long value) {
            entry(key, value);
        }
    }

    /**
     * After {@link #peekForm()} returned '{': reads the map, handing each entry to {@code visitor} instead
     * of building a Map, which saves an allocation per op on large histories.
     */
    public void readMapEntries(MapVisitor visitor) {
        consume();
        while (true) {
            Object key = readForm('}');
            if (key == CLOSE) {
                return;
            }
            if (visitor.wantsLong(key) && readPlainLong()) {
                visitor.longEntry(key, plainLong);
                continue;
            }
            Object value = readForm('}');
            if (value == CLOSE) {
                throw error("map literal has a key without a value: " + EdnWriter.write(key));
            }
            visitor.entry(key, value);
        }
    }

    public long line() {
        return line;
    }

    /** An error at the current position. */
    public EdnException error(String problem) {
        return new EdnException(line, bufStartOffset + pos - lineStartOffset + 1, problem);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Object readForm(int closer) {
        while (true) {
            int c = skipWhitespace();
            if (c < 0) {
                if (closer != NO_CLOSER) {
                    throw error("end of input inside a collection; expected '" + (char) closer + "'");
                }
                return EOF;
            }
            if (c == closer) {
                pos++;
                return CLOSE;
            }
            if (c == '#' && peekSecond() == '_') {
                pos += 2;
                discardNextForm();
                continue;
            }
            return readValue(c);
        }
    }

    private void discardNextForm() {
        int c = skipWhitespace();
        if (c < 0 || c == ']' || c == ')' || c == '}') {
            throw error("#_ must be followed by a form");
        }
        readForm(NO_CLOSER);
    }

    private Object readValue(int c) {
        switch (c) {
            case '[':
                pos++;
                return readList(']');
            case '(':
                pos++;
                return readList(')');
            case '{':
                pos++;
                return readMap();
            case '"':
                pos++;
                return readStringLiteral();
            case ':':
                pos++;
                return readKeyword();
            case '\\':
                pos++;
                return readCharacter();
            case '#':
                pos++;
                return readDispatch();
            case ']':
            case ')':
            case '}':
                throw error("unexpected '" + (char) c + "'");
            default:
                return readAtom();
        }
    }

    private List<Object> readList(char closer) {
        Object first = readForm(closer);
        if (first == CLOSE) {
            return EdnVector.EMPTY;
        }
        Object second = readForm(closer);
        if (second == CLOSE) {
            return EdnVector.wrap(new Object[] {first});
        }
        Object third = readForm(closer);
        if (third == CLOSE) {
            return EdnVector.wrap(new Object[] {first, second});
        }
        List<Object> items = new ArrayList<>();
        items.add(first);
        items.add(second);
        for (Object item = third; item != CLOSE; item = readForm(closer)) {
            items.add(item);
        }
        return EdnVector.copyOf(items);
    }

    private Map<Object, Object> readMap() {
        Map<Object, Object> map = new LinkedHashMap<>();
        while (true) {
            Object key = readForm('}');
            if (key == CLOSE) {
                return Collections.unmodifiableMap(map);
            }
            Object value = readForm('}');
            if (value == CLOSE) {
                throw error("map literal has a key without a value: " + EdnWriter.write(key));
            }
            map.put(key, value);
        }
    }

    private Set<Object> readSet() {
        Set<Object> set = new LinkedHashSet<>();
        for (Object item = readForm('}'); item != CLOSE; item = readForm('}')) {
            set.add(item);
        }
        return Collections.unmodifiableSet(set);
    }

    private Object readDispatch() {
        int c = peekByte();
        if (c == '{') {
            pos++;
            return readSet();
        }
        if (c == '"') {
            pos++;
            return readStringLiteral();
        }
        if (c == '#') {
            pos++;
            String name = readToken();
            switch (name) {
                case "Inf": return Double.POSITIVE_INFINITY;
                case "-Inf": return Double.NEGATIVE_INFINITY;
                case "NaN": return Double.NaN;
                default: throw error("unknown symbolic value ##" + name);
            }
        }
        if (c < 0 || isDelimiter(c) || c == ':') {
            throw error("'#' must start a tag, a set, a discard or a symbolic value");
        }
        String tag = readToken();
        Object value = readForm(NO_CLOSER);
        if (value == EOF) {
            throw error("tag #" + tag + " has no value");
        }
        return new Tagged(tag, value);
    }

    private Keyword readKeyword() {
        scratchLength = 0;
        scanTokenIntoScratch();
        if (scratchLength == 0) {
            throw error("a keyword needs a name after ':'");
        }
        return keywords.intern(scratch, scratchLength);
    }

    /**
     * If the next form is an integer token that fits a long, reads it into {@link #plainLong} and returns
     * true; otherwise reads nothing (or, for another number-like token, leaves it for readForm to re-read)
     * and returns false.
     */
    private boolean readPlainLong() {
        int c = skipWhitespace();
        if (c < 0 || !(isDigit(c) || c == '-')) {
            return false;
        }
        long value = 0;
        boolean negative = c == '-';
        int start = pos + (negative ? 1 : 0);
        int end = start;
        while (end < limit && isDigit(buf[end])) {
            end++;
        }
        // Only a token wholly in the buffer, of up to 18 digits, ended by a delimiter: the rest takes the slow road.
        if (end == start || end >= limit || end - start > 18 || !isDelimiter(buf[end])) {
            return false;
        }
        for (int i = start; i < end; i++) {
            value = value * 10 + (buf[i] - '0');
        }
        plainLong = negative ? -value : value;
        pos = end;
        return true;
    }

    private Object readAtom() {
        scratchLength = 0;
        scanTokenIntoScratch();
        byte first = scratch[0];
        boolean signed = first == '-' || first == '+';
        if (isDigit(first) || (signed && scratchLength > 1 && isDigit(scratch[1]))) {
            return parseNumber();
        }
        String token = new String(scratch, 0, scratchLength, StandardCharsets.UTF_8);
        switch (token) {
            case "nil": return null;
            case "true": return Boolean.TRUE;
            case "false": return Boolean.FALSE;
            default: return new Symbol(token);
        }
    }

    private Object parseNumber() {
        boolean negative = scratch[0] == '-';
        int i = (scratch[0] == '-' || scratch[0] == '+') ? 1 : 0;
        long value = 0;
        for (; i < scratchLength; i++) {
            byte b = scratch[i];
            if (!isDigit(b) || value > (Long.MAX_VALUE - 9) / 10) {
                return parseNumberSlowly();
            }
            value = value * 10 + (b - '0');
        }
        long signedValue = negative ? -value : value;
        return signedValue >= -128 && signedValue < SMALL_LONGS.length - 128
                ? SMALL_LONGS[(int) signedValue + 128] : Long.valueOf(signedValue);
    }

    private Object parseNumberSlowly() {
        String token = new String(scratch, 0, scratchLength, StandardCharsets.US_ASCII);
        try {
            if (token.endsWith("N")) {
                return shrink(new BigInteger(token.substring(0, token.length() - 1)));
            }
            if (token.endsWith("M")) {
                return new BigDecimal(token.substring(0, token.length() - 1));
            }
            if (token.contains("/")) {
                return new Tagged("ratio", token);
            }
            if (token.indexOf('.') >= 0 || token.indexOf('e') >= 0 || token.indexOf('E') >= 0) {
                return Double.parseDouble(token);
            }
            return shrink(new BigInteger(token));
        } catch (NumberFormatException e) {
            throw error("malformed number '" + token + "'");
        }
    }

    private static Object shrink(BigInteger n) {
        return n.bitLength() < 64 ? (Object) n.longValue() : n;
    }

    private String readStringLiteral() {
        scratchLength = 0;
        while (true) {
            if (pos >= limit && !fill()) {
                throw error("end of input inside a string");
            }
            byte b = buf[pos++];
            if (b == '"') {
                return new String(scratch, 0, scratchLength, StandardCharsets.UTF_8);
            }
            if (b == '\\') {
                appendEscape();
            } else {
                if (b == '\n') {
                    newLineAt(bufStartOffset + pos);
                }
                appendScratch(b);
            }
        }
    }

    private void appendEscape() {
        if (pos >= limit && !fill()) {
            throw error("end of input inside a string escape");
        }
        byte b = buf[pos++];
        switch (b) {
            case 'n': appendScratch((byte) '\n'); break;
            case 't': appendScratch((byte) '\t'); break;
            case 'r': appendScratch((byte) '\r'); break;
            case 'b': appendScratch((byte) '\b'); break;
            case 'f': appendScratch((byte) '\f'); break;
            case '"': appendScratch((byte) '"'); break;
            case '\\': appendScratch((byte) '\\'); break;
            case 'u': appendCodePoint(readHex4()); break;
            default: throw error("unknown string escape '\\" + (char) b + "'");
        }
    }

    private int readHex4() {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            if (pos >= limit && !fill()) {
                throw error("end of input inside a \\u escape");
            }
            int digit = Character.digit(buf[pos++], 16);
            if (digit < 0) {
                throw error("malformed \\u escape");
            }
            value = value * 16 + digit;
        }
        return value;
    }

    private void appendCodePoint(int codePoint) {
        byte[] bytes = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            appendScratch(b);
        }
    }

    private Character readCharacter() {
        scratchLength = 0;
        if (pos >= limit && !fill()) {
            throw error("end of input after '\\'");
        }
        appendScratch(buf[pos++]);
        scanTokenIntoScratch();
        String token = new String(scratch, 0, scratchLength, StandardCharsets.UTF_8);
        switch (token) {
            case "newline": return '\n';
            case "space": return ' ';
            case "tab": return '\t';
            case "return": return '\r';
            case "formfeed": return '\f';
            case "backspace": return '\b';
            default: break;
        }
        if (token.length() == 1) {
            return token.charAt(0);
        }
        if (token.length() == 5 && token.charAt(0) == 'u') {
            try {
                return (char) Integer.parseInt(token.substring(1), 16);
            } catch (NumberFormatException e) {
                throw error("malformed character literal '\\" + token + "'");
            }
        }
        throw error("unknown character literal '\\" + token + "'");
    }

    private String readToken() {
        scratchLength = 0;
        scanTokenIntoScratch();
        if (scratchLength == 0) {
            throw error("expected a symbol");
        }
        return new String(scratch, 0, scratchLength, StandardCharsets.UTF_8);
    }

    /** Appends bytes up to the next delimiter to the scratch buffer. */
    private void scanTokenIntoScratch() {
        while (true) {
            if (pos >= limit && !fill()) {
                return;
            }
            byte b = buf[pos];
            if (isDelimiter(b)) {
                return;
            }
            appendScratch(b);
            pos++;
        }
    }

    private int skipWhitespace() {
        while (true) {
            if (pos >= limit && !fill()) {
                return -1;
            }
            byte b = buf[pos];
            if (b == ' ' || b == ',' || b == '\t' || b == '\r') {
                pos++;
            } else if (b == '\n') {
                pos++;
                newLineAt(bufStartOffset + pos);
            } else if (b == ';') {
                skipComment();
            } else {
                return b & 0xff;
            }
        }
    }

    private void skipComment() {
        while (true) {
            if (pos >= limit && !fill()) {
                return;
            }
            if (buf[pos] == '\n') {
                return;
            }
            pos++;
        }
    }

    private void newLineAt(long offset) {
        line++;
        lineStartOffset = offset;
    }

    private int peekByte() {
        if (pos >= limit && !fill()) {
            return -1;
        }
        return buf[pos] & 0xff;
    }

    /** The byte after the one at pos, keeping the one at pos in the buffer. */
    private int peekSecond() {
        if (pos + 1 >= limit) {
            compactAndFill();
            if (pos + 1 >= limit) {
                return -1;
            }
        }
        return buf[pos + 1] & 0xff;
    }

    private boolean fill() {
        bufStartOffset += limit;
        pos = 0;
        limit = 0;
        try {
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            limit = n;
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void compactAndFill() {
        int remaining = limit - pos;
        System.arraycopy(buf, pos, buf, 0, remaining);
        bufStartOffset += pos;
        pos = 0;
        limit = remaining;
        try {
            int n = in.read(buf, remaining, buf.length - remaining);
            if (n > 0) {
                limit += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void appendScratch(byte b) {
        if (scratchLength == scratch.length) {
            scratch = java.util.Arrays.copyOf(scratch, scratch.length * 2);
        }
        scratch[scratchLength++] = b;
    }

    private static boolean isDigit(int b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isDelimiter(int b) {
        switch (b) {
            case ' ': case ',': case '\t': case '\n': case '\r': case '\f':
            case '(': case ')': case '[': case ']': case '{': case '}': case '"': case ';':
                return true;
            default:
                return false;
        }
    }
}
