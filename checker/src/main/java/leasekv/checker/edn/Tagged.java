package leasekv.checker.edn;

/** A tagged literal such as {@code #inst "..."} or {@code #jepsen.history.Op{...}}, kept as tag plus value. */
public record Tagged(String tag, Object value) {
    @Override
    public String toString() {
        return "#" + tag + " " + EdnWriter.write(value);
    }
}
