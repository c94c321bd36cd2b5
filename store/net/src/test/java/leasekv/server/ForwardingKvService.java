package leasekv.server;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Forwards everything to a delegate; tests override single methods to inject delays and failures. */
class ForwardingKvService implements KvService {
    final KvService delegate;

    ForwardingKvService(KvService delegate) {
        this.delegate = delegate;
    }

    @Override public CompletableFuture<Void> ping() { return delegate.ping(); }
    @Override public CompletableFuture<byte[]> get(byte[] key) { return delegate.get(key); }
    @Override public CompletableFuture<ServedRead> read(byte[] key) { return delegate.read(key); }
    @Override public CompletableFuture<List<byte[]>> lrange(byte[] key, long start, long stop) {
        return delegate.lrange(key, start, stop);
    }
    @Override public CompletableFuture<Long> write(RequestId id, WriteCommand command) {
        return delegate.write(id, command);
    }
    @Override public CompletableFuture<RoleInfo> role() { return delegate.role(); }
    @Override public CompletableFuture<String> info(String section) { return delegate.info(section); }
    @Override public CompletableFuture<StateDigest> adminDigest() { return delegate.adminDigest(); }
    @Override public CompletableFuture<List<String>> adminMembers() { return delegate.adminMembers(); }
    @Override public CompletableFuture<Void> adminAddVoter(String id) { return delegate.adminAddVoter(id); }
    @Override public CompletableFuture<Void> adminRemoveVoter(String id) { return delegate.adminRemoveVoter(id); }
    @Override public CompletableFuture<Void> adminSnapshot() { return delegate.adminSnapshot(); }
    @Override public CompletableFuture<Void> adminTransfer(String id) { return delegate.adminTransfer(id); }
    @Override public CompletableFuture<ClockState> adminClock() { return delegate.adminClock(); }
    @Override public CompletableFuture<Void> adminClockRate(double rate) { return delegate.adminClockRate(rate); }
    @Override public CompletableFuture<Void> adminClockStep(long millis) { return delegate.adminClockStep(millis); }
    @Override public CompletableFuture<Void> adminClockReset() { return delegate.adminClockReset(); }
    @Override public CompletableFuture<Void> adminClockWallStep(long millis) {
        return delegate.adminClockWallStep(millis);
    }
    @Override public CompletableFuture<Void> adminStallApply(long millis) { return delegate.adminStallApply(millis); }
    @Override public CompletableFuture<Void> adminCrashAt(String point) { return delegate.adminCrashAt(point); }
}
