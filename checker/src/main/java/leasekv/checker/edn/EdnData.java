package leasekv.checker.edn;

/** An object that renders itself as plain EDN data (maps, lists, keywords, numbers, strings). */
public interface EdnData {
    Object toEdnData();
}
