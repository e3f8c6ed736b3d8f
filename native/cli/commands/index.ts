import type { CliCommand } from '../command.js';
import { serveCommand } from './serve.js';
import { inspectCommand } from './inspect.js';
import { runCommand } from './run.js';
import { labelsCommand } from './labels.js';
import { evalCommand } from './eval.js';
import { encodeCommand } from './encode.js';
import { trainCommand } from './train.js';
import { indexCommand } from './index-cmd.js';
import { tokenizeCommand } from './tokenize.js';
import { importCommand } from './import.js';
import { generateCommand } from './generate.js';

/** Every `loupe` subcommand, in the order `loupe --help` lists them. */
export const commands: CliCommand[] = [
  serveCommand,
  inspectCommand,
  runCommand,
  encodeCommand,
  trainCommand,
  evalCommand,
  indexCommand,
  labelsCommand,
  tokenizeCommand,
  importCommand,
  generateCommand,
];
