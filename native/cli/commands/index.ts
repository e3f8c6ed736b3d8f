import type { CliCommand } from '../command.js';
import { serveCommand } from './serve.js';
import { inspectCommand } from './inspect.js';
import { runCommand } from './run.js';

/** Every `loupe` subcommand, in the order `loupe --help` lists them. */
export const commands: CliCommand[] = [serveCommand, inspectCommand, runCommand];
