package leasekv.client;

/** A {@code host:port} of a node's client port. IPv6 literals go in brackets: {@code [::1]:6379}. */
record NodeAddress(String host, int port) {
    static NodeAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("node address is null");
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("node address must be host:port, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("node address has no valid port (1-65535): '" + text + "'");
        }
        return new NodeAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
