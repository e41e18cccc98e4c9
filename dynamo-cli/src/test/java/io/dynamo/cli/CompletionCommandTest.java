package io.dynamo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `dynamo completion`: the script picocli generates from the commands themselves. */
class CompletionCommandTest {
  @Test
  void theScriptCompletesEverySubcommandAndTheNewOptions() {
    CliIT.Run run = CliIT.run(Map.of(), null, "", "completion");
    assertThat(run.exit()).as(run.err()).isZero();
    String script = run.out();

    // The top-level completion offers exactly the subcommands dynamo has.
    Matcher top = Pattern.compile("(?m)^  local commands=\"([^\"]+)\"$").matcher(script);
    assertThat(top.find()).as("a list of commands in the script").isTrue();
    List<String> subcommands =
        List.copyOf(DynamoCli.commandLine(new DynamoCli()).getSubcommands().keySet());
    assertThat(subcommands).contains("stats", "completion", "status", "repair");
    assertThat(Arrays.asList(top.group(1).split(" ")))
        .containsExactlyInAnyOrderElementsOf(subcommands);

    // Every subcommand has its own completion function, and the watched commands offer --watch.
    for (String sub : subcommands) {
      assertThat(script).contains("function _picocli_dynamo_" + sub.replace("-", "") + "()");
    }
    assertThat(functionBody(script, "stats")).contains("--watch", "--count", "--json");
    assertThat(script).contains("complete -F _complete_dynamo -o default dynamo");
  }

  @Test
  void theScriptIsNamedAfterTheRootCommand() {
    String script = CompletionCommand.script(DynamoCli.commandLine(new DynamoCli()));
    assertThat(script).contains("function _complete_dynamo()");
    assertThat(new CommandLine(new DynamoCli()).getCommandName()).isEqualTo("dynamo");
  }

  private static String functionBody(String script, String sub) {
    int start = script.indexOf("function _picocli_dynamo_" + sub + "()");
    int end = script.indexOf("\n}\n", start);
    return script.substring(start, end);
  }
}
