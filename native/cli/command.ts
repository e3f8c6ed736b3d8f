/** One `loupe` subcommand. `run` returns the process exit code; it throws `CliError` for bad input. */
export interface CliCommand {
  name: string;
  /** One line for `loupe --help`. */
  summary: string;
  /** Usage text printed with `loupe NAME --help` and after a usage error. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** A user-facing error: printed as `loupe NAME: message` and exit code 2 (usage) or 1 (input). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
