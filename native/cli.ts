import { commands } from './cli/commands/index.js';
import { CliError } from './cli/command.js';

function printHelp(): void {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  process.stdout.write(
    `loupe: explore sparse-autoencoder features, offline\n\nUsage: loupe COMMAND [flags]\n\n${lines.join('\n')}\n\nRun "loupe COMMAND --help" for a command's flags.\n`,
  );
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    printHelp();
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`loupe: unknown command "${name}": expected one of ${commands.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`loupe ${name}: ${error.message}\n`);
      if (error.exitCode === 2) process.stderr.write(`\n${command.usage}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
