package io.dynamo.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the shell completion script for bash and zsh (zsh through bashcompinit), generated"
          + " from the commands and options themselves. Load it with:",
      "  source <(scripts/dynamo completion)"
    })
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(script(spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return ExitCode.OK;
  }

  /** The script for the command line {@code root}, named after its command (dynamo). */
  static String script(picocli.CommandLine root) {
    return AutoComplete.bash(root.getCommandName(), root);
  }
}
