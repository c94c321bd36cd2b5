package leasekv.checker.edn;

/** An EDN symbol other than nil, true and false; histories rarely hold them, but they must survive a round trip. */
public record Symbol(String name) {
    @Override
    public String toString() {
        return name;
    }
}
