package leasekv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import leasekv.node.CommandLineOptions.UsageException;
import org.junit.jupiter.api.Test;

/** The store's option parser: values in both spellings, defaults, and an error naming each bad option. */
class CommandLineOptionsTest {
  private String name;
  private long ticks;
  private boolean hooks;

  private CommandLineOptions options() {
    return new CommandLineOptions()
        .required("--name", "NAME", "Who.", v -> name = v)
        .longValue("--ticks", "N", "7", "How many (default: ${DEFAULT}).", v -> ticks = v)
        .flag("--hooks", "Hooks on.", () -> hooks = true);
  }

  private String error(String... args) {
    return assertThrows(UsageException.class, () -> options().parse(args)).getMessage();
  }

  @Test
  void takesBothSpellingsAndAppliesDefaultsFirst() {
    assertEquals(CommandLineOptions.Request.RUN, options().parse(new String[] {"--name", "a"}));
    assertEquals("a", name);
    assertEquals(7, ticks);
    assertFalse(hooks);
    assertEquals(CommandLineOptions.Request.RUN, options().parse(new String[] {"--ticks=12", "--hooks", "--name=b=c"}));
    assertEquals("b=c", name);
    assertEquals(12, ticks);
    assertTrue(hooks);
  }

  @Test
  void eachBadCommandLineNamesTheOption() {
    assertEquals("Missing required option: '--name=NAME'", error("--ticks", "1"));
    assertEquals("Invalid value for option '--ticks': 'x' is not a whole number", error("--name", "a", "--ticks", "x"));
    assertEquals("Unknown option: '--tick'", error("--name", "a", "--tick", "1"));
    assertEquals("option '--name' is given more than once", error("--name", "a", "--name", "b"));
    assertEquals("option '--name' needs a value: NAME", error("--name", "--ticks", "1"));
    assertEquals("option '--name' needs a value: NAME", error("--name"));
    assertEquals("option '--hooks' takes no value", error("--name", "a", "--hooks=yes"));
    assertEquals("Unexpected argument: 'extra'", error("--name", "a", "extra"));
  }

  @Test
  void helpAndVersionAreAskedForAndHelpListsDefaults() {
    assertEquals(CommandLineOptions.Request.HELP, options().parse(new String[] {"--name", "a", "-h"}));
    assertEquals(CommandLineOptions.Request.VERSION, options().parse(new String[] {"--version"}));
    assertEquals(CommandLineOptions.Request.VERSION, options().parse(new String[] {"-V", "--no-such-option"}));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    options().usage(new PrintStream(bytes, true, StandardCharsets.UTF_8), "cmd", List.of("Does things."), "footer\n");
    String help = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(help.startsWith("Usage: cmd [OPTIONS]\nDoes things.\n"), help);
    assertTrue(help.contains("--ticks=N") && help.contains("How many (default: 7)."), help);
    assertTrue(help.contains("Required. Who."), help);
    assertTrue(help.endsWith("footer\n"), help);
  }
}
