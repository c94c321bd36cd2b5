package leasekv.node;

/**
 * How the leader serves reads: from its lease (falling back to ReadIndex), or always by ReadIndex.
 */
public enum ReadModeSetting {
  LEASE("lease"),
  READ_INDEX("read-index");

  private final String cliName;

  ReadModeSetting(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  public static ReadModeSetting parse(String name) {
    for (ReadModeSetting m : values()) {
      if (m.cliName.equals(name)) return m;
    }
    throw new ConfigException("--read-mode must be 'lease' or 'read-index', was '" + name + "'");
  }
}
