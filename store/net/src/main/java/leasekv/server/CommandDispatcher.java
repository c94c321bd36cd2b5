package leasekv.server;

import io.netty.handler.codec.redis.RedisMessage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Validates one command (name, arity, integer arguments, key and value sizes) and calls the
 * {@link KvService}. Returns either a {@link RedisMessage} (answered without the backend, e.g. a
 * validation error) or a {@link PendingReply}. Runs on the connection's event loop.
 */
final class CommandDispatcher {
    private static final int MAX_CLIENT_ID_BYTES = 128;
    private static final int MAX_NODE_ID_BYTES = 64;

    private static final PendingReply.Encoder BULK_OR_NIL = v -> Replies.bulkOrNil((byte[]) v);
    private static final PendingReply.Encoder INTEGER = v -> Replies.integer((Long) v);
    private static final PendingReply.Encoder OK = v -> Replies.OK;
    private static final PendingReply.Encoder PONG = v -> Replies.PONG;
    @SuppressWarnings("unchecked")
    private static final PendingReply.Encoder BULK_ARRAY = v -> Replies.bulkArray((List<byte[]>) v);
    @SuppressWarnings("unchecked")
    private static final PendingReply.Encoder STRING_ARRAY = v -> Replies.stringArray((List<String>) v);
    private static final PendingReply.Encoder INFO_TEXT = v -> Replies.bulkOrNil((String) v);
    private static final PendingReply.Encoder READ = v -> encodeRead((ServedRead) v);
    private static final PendingReply.Encoder ROLE = v -> encodeRole((RoleInfo) v);
    private static final PendingReply.Encoder DIGEST = v -> encodeDigest((StateDigest) v);
    private static final PendingReply.Encoder CLOCK = v -> encodeClock((ClockState) v);

    private final KvService service;
    private final RespServerConfig config;

    CommandDispatcher(KvService service, RespServerConfig config) {
        this.service = service;
        this.config = config;
    }

    /** @return a {@link RedisMessage} or a {@link PendingReply} */
    Object dispatch(List<byte[]> args) {
        CommandName name = CommandName.lookup(args.get(0));
        if (name == null) {
            return Replies.error(ErrorWord.ERR, "unknown command '" + Replies.printable(args.get(0)) + "'");
        }
        boolean write = name == CommandName.SET || name == CommandName.DEL || name == CommandName.CAS
                || name == CommandName.RPUSH || name == CommandName.REQ;
        try {
            return dispatch(name, args);
        } catch (KvException e) {
            return Replies.error(e);
        } catch (RuntimeException e) { // a backend that threw instead of failing its future
            return PendingReply.of(CompletableFuture.failedFuture(e), null, write);
        }
    }

    private Object dispatch(CommandName name, List<byte[]> args) {
        switch (name) {
            case GET:
                arity(name, args, 2, 2);
                return PendingReply.of(service.get(key(args, 1)), BULK_OR_NIL, false);
            case SET:
            case DEL:
            case CAS:
            case RPUSH:
                return write(null, name, args);
            case REQ:
                return request(args);
            case READ:
                arity(name, args, 2, 2);
                return PendingReply.of(service.read(key(args, 1)), READ, false);
            case LRANGE:
                arity(name, args, 4, 4);
                byte[] key = key(args, 1);
                return PendingReply.of(service.lrange(key, integer(args.get(2)), integer(args.get(3))),
                        BULK_ARRAY, false);
            case PING:
                return ping(args);
            case ROLE:
                arity(name, args, 1, 1);
                return PendingReply.of(service.role(), ROLE, false);
            case INFO:
                arity(name, args, 1, 2);
                return PendingReply.of(service.info(args.size() == 2 ? text(args.get(1)) : null), INFO_TEXT, false);
            case ADMIN:
                return admin(args);
            case CONFIG:
                return config(args);
            case QUIT:
                return PendingReply.immediate(Replies.OK, true);
            default:
                throw new IllegalStateException("unhandled command " + name);
        }
    }

    private Object ping(List<byte[]> args) {
        arity(CommandName.PING, args, 1, 2);
        if (args.size() == 1) {
            return PendingReply.of(service.ping(), PONG, false);
        }
        RedisMessage echo = Replies.bulkOrNil(args.get(1));
        return PendingReply.of(service.ping(), v -> echo, false);
    }

    /** {@code REQ client-id seq CMD args...}. */
    private Object request(List<byte[]> args) {
        if (args.size() < 4) {
            throw wrongArity(CommandName.REQ);
        }
        byte[] clientId = args.get(1);
        if (clientId.length == 0 || clientId.length > MAX_CLIENT_ID_BYTES) {
            throw new KvException(ErrorWord.ERR, "REQ client id must be 1 to " + MAX_CLIENT_ID_BYTES + " bytes");
        }
        long seq = integer(args.get(2));
        if (seq <= 0) {
            throw new KvException(ErrorWord.ERR, "REQ seq must be a positive integer, got " + seq);
        }
        List<byte[]> inner = args.subList(3, args.size());
        CommandName innerName = CommandName.lookup(inner.get(0));
        if (innerName != CommandName.SET && innerName != CommandName.DEL && innerName != CommandName.CAS
                && innerName != CommandName.RPUSH) {
            throw new KvException(ErrorWord.ERR, "REQ wraps only SET, DEL, CAS or RPUSH, got '"
                    + Replies.printable(inner.get(0)) + "'");
        }
        return write(new RequestId(text(clientId), seq), innerName, inner);
    }

    private Object write(RequestId requestId, CommandName name, List<byte[]> args) {
        WriteCommand command;
        switch (name) {
            case SET:
                arity(name, args, 3, 3);
                command = new WriteCommand.Set(key(args, 1), value(args, 2));
                return PendingReply.of(service.write(requestId, command), OK, true);
            case DEL:
                arity(name, args, 2, 2);
                command = new WriteCommand.Del(key(args, 1));
                break;
            case CAS:
                arity(name, args, 4, 4);
                command = new WriteCommand.Cas(key(args, 1), value(args, 2), value(args, 3));
                break;
            case RPUSH:
                if (args.size() < 3) {
                    throw wrongArity(name);
                }
                byte[] key = key(args, 1);
                List<byte[]> values = new ArrayList<>(args.size() - 2);
                for (int i = 2; i < args.size(); i++) {
                    values.add(value(args, i));
                }
                command = new WriteCommand.RPush(key, values);
                break;
            default:
                throw new IllegalStateException("not a write: " + name);
        }
        return PendingReply.of(service.write(requestId, command), INTEGER, true);
    }

    private Object admin(List<byte[]> args) {
        if (args.size() < 2) {
            throw wrongArity(CommandName.ADMIN);
        }
        String sub = text(args.get(1)).toUpperCase(Locale.ROOT);
        switch (sub) {
            case "DIGEST":
                adminArity(sub, args, 2);
                return PendingReply.of(service.adminDigest(), DIGEST, false);
            case "MEMBERS":
                adminArity(sub, args, 2);
                return PendingReply.of(service.adminMembers(), STRING_ARRAY, false);
            case "ADD-VOTER":
                adminArity(sub, args, 3);
                return PendingReply.of(service.adminAddVoter(nodeId(args.get(2))), OK, true);
            case "REMOVE-VOTER":
                adminArity(sub, args, 3);
                return PendingReply.of(service.adminRemoveVoter(nodeId(args.get(2))), OK, true);
            case "SNAPSHOT":
                adminArity(sub, args, 2);
                return PendingReply.of(service.adminSnapshot(), OK, false);
            case "TRANSFER":
                adminArity(sub, args, 3);
                return PendingReply.of(service.adminTransfer(nodeId(args.get(2))), OK, false);
            case "CLOCK":
                return adminClock(args);
            case "STALL-APPLY":
                adminArity(sub, args, 3);
                return PendingReply.of(service.adminStallApply(nonNegativeMillis("STALL-APPLY", args.get(2))), OK,
                        false);
            case "CRASH-AT":
                adminArity(sub, args, 3);
                return PendingReply.of(service.adminCrashAt(new String(args.get(2), StandardCharsets.UTF_8)), OK, false);
            default:
                throw new KvException(ErrorWord.ERR, "unknown ADMIN subcommand '" + Replies.printable(args.get(1))
                        + "' (DIGEST, MEMBERS, ADD-VOTER, REMOVE-VOTER, SNAPSHOT, TRANSFER, CLOCK, STALL-APPLY, CRASH-AT)");
        }
    }

    private Object adminClock(List<byte[]> args) {
        if (args.size() == 2) {
            return PendingReply.of(service.adminClock(), CLOCK, false);
        }
        String op = text(args.get(2)).toUpperCase(Locale.ROOT);
        switch (op) {
            case "RATE":
                adminArity("CLOCK RATE", args, 4);
                return PendingReply.of(service.adminClockRate(clockRate(args.get(3))), OK, false);
            case "STEP":
                adminArity("CLOCK STEP", args, 4);
                return PendingReply.of(service.adminClockStep(nonNegativeMillis("CLOCK STEP", args.get(3))), OK, false);
            case "WALL-STEP":
                adminArity("CLOCK WALL-STEP", args, 4);
                return PendingReply.of(service.adminClockWallStep(integer(args.get(3))), OK, false);
            case "RESET":
                adminArity("CLOCK RESET", args, 3);
                return PendingReply.of(service.adminClockReset(), OK, false);
            default:
                throw new KvException(ErrorWord.ERR, "unknown ADMIN CLOCK operation '"
                        + Replies.printable(args.get(2)) + "' (RATE r, STEP ms, WALL-STEP ms, RESET)");
        }
    }

    private static long nonNegativeMillis(String what, byte[] raw) {
        long millis = integer(raw);
        if (millis < 0) {
            throw new KvException(ErrorWord.ERR, "ADMIN " + what + " takes milliseconds >= 0, got " + millis);
        }
        return millis;
    }

    /**
     * {@code CONFIG GET name} answers {@code [name, ""]}: no server setting is exposed over RESP, but
     * redis-benchmark asks for {@code save} and {@code appendonly} and warns unless it gets a pair.
     */
    private Object config(List<byte[]> args) {
        if (args.size() == 3 && text(args.get(1)).equalsIgnoreCase("GET")) {
            return Replies.bulkArray(List.of(args.get(2), new byte[0]));
        }
        throw new KvException(ErrorWord.ERR, "only CONFIG GET is supported (it answers [name, \"\"])");
    }

    private byte[] key(List<byte[]> args, int index) {
        byte[] key = args.get(index);
        if (key.length > config.maxKeyBytes()) {
            throw new KvException(ErrorWord.TOOLARGE, "key is " + key.length + " bytes, the limit is "
                    + config.maxKeyBytes());
        }
        return key;
    }

    private byte[] value(List<byte[]> args, int index) {
        byte[] value = args.get(index);
        if (value.length > config.maxValueBytes()) {
            throw new KvException(ErrorWord.TOOLARGE, "value is " + value.length + " bytes, the limit is "
                    + config.maxValueBytes());
        }
        return value;
    }

    private static String nodeId(byte[] raw) {
        String id = text(raw);
        if (raw.length == 0 || raw.length > MAX_NODE_ID_BYTES || !id.matches("[A-Za-z0-9_.-]+")) {
            throw new KvException(ErrorWord.ERR, "invalid node id '" + Replies.printable(raw) + "'");
        }
        return id;
    }

    private static double clockRate(byte[] raw) {
        double rate;
        try {
            rate = Double.parseDouble(text(raw));
        } catch (NumberFormatException e) {
            rate = Double.NaN;
        }
        if (!Double.isFinite(rate) || rate <= 0) {
            throw new KvException(ErrorWord.ERR, "ADMIN CLOCK RATE takes a positive finite number, got '"
                    + Replies.printable(raw) + "'");
        }
        return rate;
    }

    /** A strict base-10 long: optional '-', digits only, no overflow. */
    static long integer(byte[] raw) {
        int i = 0;
        boolean negative = raw.length > 0 && raw[0] == '-';
        if (negative) {
            i = 1;
        }
        if (i == raw.length || raw.length > 20) {
            throw notInteger();
        }
        long result = 0;
        for (; i < raw.length; i++) {
            int digit = raw[i] - '0';
            if (digit < 0 || digit > 9) {
                throw notInteger();
            }
            // Accumulate negatively so that Long.MIN_VALUE parses.
            if (result < Long.MIN_VALUE / 10) {
                throw notInteger();
            }
            result *= 10;
            if (result < Long.MIN_VALUE + digit) {
                throw notInteger();
            }
            result -= digit;
        }
        if (!negative && result == Long.MIN_VALUE) {
            throw notInteger();
        }
        return negative ? result : -result;
    }

    private static KvException notInteger() {
        return new KvException(ErrorWord.ERR, "value is not an integer or out of range");
    }

    private static void arity(CommandName name, List<byte[]> args, int min, int max) {
        if (args.size() < min || args.size() > max) {
            throw wrongArity(name);
        }
    }

    private static void adminArity(String sub, List<byte[]> args, int exact) {
        if (args.size() != exact) {
            throw new KvException(ErrorWord.ERR, "wrong number of arguments for 'admin " + sub.toLowerCase(Locale.ROOT)
                    + "' command");
        }
    }

    private static KvException wrongArity(CommandName name) {
        return new KvException(ErrorWord.ERR, "wrong number of arguments for '" + name.lower() + "' command");
    }

    private static String text(byte[] raw) {
        return new String(raw, StandardCharsets.UTF_8);
    }

    private static RedisMessage encodeRead(ServedRead read) {
        return Replies.array(List.of(Replies.bulkOrNil(read.value()), Replies.bulkOrNil(read.servedBy()),
                Replies.integer(read.term()), Replies.bulkOrNil(read.readMode().wireName()),
                Replies.integer(read.appliedIndex())));
    }

    private static RedisMessage encodeRole(RoleInfo role) {
        return Replies.array(List.of(Replies.bulkOrNil(role.role().wireName()), Replies.bulkOrNil(role.nodeId()),
                Replies.integer(role.term()), Replies.bulkOrNil(role.leaderId()),
                Replies.bulkOrNil(role.leaderClientAddress()), Replies.integer(role.commitIndex()),
                Replies.integer(role.appliedIndex())));
    }

    private static RedisMessage encodeDigest(StateDigest digest) {
        return Replies.array(List.of(Replies.integer(digest.appliedIndex()), Replies.bulkOrNil(digest.hexDigest())));
    }

    private static RedisMessage encodeClock(ClockState clock) {
        return Replies.array(List.of(Replies.bulkOrNil(Double.toString(clock.rate())),
                Replies.integer(clock.offsetNanos()), Replies.integer(clock.nowNanos()),
                Replies.integer(clock.wallOffsetNanos())));
    }
}
