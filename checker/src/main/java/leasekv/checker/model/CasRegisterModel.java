package leasekv.checker.model;

import java.util.List;
import java.util.Objects;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.edn.Keyword;

/** A register with compare-and-set: {@code :cas [expected new]} succeeds only when the value is {@code expected}. */
public final class CasRegisterModel extends RegisterModel {
    private static final Keyword CAS = Keyword.of("cas");

    public CasRegisterModel(Object initialValue, boolean nilReadMatchesAnything) {
        super(initialValue, nilReadMatchesAnything);
    }

    @Override
    public String name() {
        return "cas-register";
    }

    @Override
    public void validate(Call call) {
        if (call.fKeyword() == CAS) {
            if (!(call.value() instanceof List) || ((List<?>) call.value()).size() != 2) {
                throw new IllegalArgumentException(":cas needs a value [expected new], not " + EdnWriter.write(call.value()));
            }
            return;
        }
        if (call.fKeyword() != READ && call.fKeyword() != WRITE) {
            throw new IllegalArgumentException("the cas-register model knows :read, :write and :cas, not :" + call.f());
        }
    }

    @Override
    public Object step(Object state, Call call) {
        if (call.fKeyword() == CAS) {
            List<?> expectedAndNew = (List<?>) call.value();
            return Objects.equals(state, expectedAndNew.get(0)) ? expectedAndNew.get(1) : INCONSISTENT;
        }
        return super.step(state, call);
    }

    @Override
    public Object writtenValue(Call call) {
        if (call.fKeyword() == CAS) {
            return ((List<?>) call.value()).get(1);
        }
        return super.writtenValue(call);
    }

    /** A cas needs the register to hold its expected value, whether it completed or crashed. */
    @Override
    public Object requiredValue(Call call) {
        if (call.fKeyword() == CAS) {
            return ((List<?>) call.value()).get(0);
        }
        return super.requiredValue(call);
    }

    @Override
    public String explainInconsistency(Object state, Call call) {
        if (call.fKeyword() == CAS) {
            List<?> expectedAndNew = (List<?>) call.value();
            return "the cas expected " + describe(expectedAndNew.get(0)) + ", but the register held " + describe(state);
        }
        return super.explainInconsistency(state, call);
    }
}
