import { formatApiError } from '../../api/errors.js';
import type { WorkspaceInfo } from '../../api/types.js';
import { demoLaunchMessage, prepareDemoOnLaunch } from '../../host/demo-launch.js';
import { EngineClient } from '../../host/engine-client.js';
import { defaultWorkspacePath, rendererDir } from '../../host/paths.js';
import { startWebHost, type WebHost } from '../../host/web-host.js';
import { integerFlag, parseFlags } from '../args.js';
import { CliError, type CliCommand } from '../command.js';

const defaultPorts = Array.from({ length: 20 }, (_, i) => 7733 + i);

async function listen(engine: EngineClient, ports: number[]): Promise<WebHost> {
  for (const port of ports) {
    try {
      return await startWebHost({ engine, staticDir: rendererDir(), port });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' || ports.length === 1) {
        throw new CliError(code === 'EADDRINUSE' ? `port ${port} is in use: pick another with --port` : String(error));
      }
    }
  }
  throw new CliError(`ports ${ports[0]}–${ports[ports.length - 1]} are all in use: pick one with --port`);
}

/**
 * The default workspace: a fresh one becomes the demo (and an interrupted demo carries on). Done
 * before the URL is printed, so a browser opened at once finds the demo's jobs queued.
 */
async function prepareDemo(engine: EngineClient): Promise<string | null> {
  try {
    return demoLaunchMessage(await prepareDemoOnLaunch(engine));
  } catch (error) {
    // The app still serves the workspace; its Home page offers to create the demo.
    process.stderr.write(`Could not prepare the demo workspace: ${(error as Error).message}\n`);
    return null;
  }
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve the app to a browser on 127.0.0.1 (for machines without a display)',
  usage: `Usage: loupe serve [--workspace DIR] [--port P]

  --workspace DIR  workspace folder to create or open (default: ${defaultWorkspacePath()};
                   the first time, Loupe makes it the demo workspace and prepares it in the background)
  --port P         port on 127.0.0.1 (default: the first free one from ${defaultPorts[0]}; 0 picks any)

Prints a URL with a secret token; open it in a browser. On a remote machine, forward the port:
  ssh -L P:127.0.0.1:P server   then open the printed URL locally.`,
  async run(argv) {
    const { values } = parseFlags(argv, { workspace: { type: 'string' }, port: { type: 'string' } });
    const workspace = values.workspace ?? defaultWorkspacePath();
    const ports = values.port === undefined ? defaultPorts : [integerFlag(values, 'port')];
    const engine = new EngineClient();
    const opened = await engine.call('workspace.open', { path: workspace });
    if (!opened.ok) {
      await engine.close();
      throw new CliError(formatApiError(opened.error));
    }
    const info = opened.result as WorkspaceInfo;
    const host = await listen(engine, ports);
    const demo = values.workspace === undefined ? await prepareDemo(engine) : null;
    process.stdout.write(`Loupe is serving workspace ${info.path}\n`);
    if (info.interruptedJobs > 0) process.stdout.write(`  ${info.interruptedJobs} job(s) were interrupted when Loupe last stopped.\n`);
    if (demo) process.stdout.write(`  ${demo}\n`);
    // The URL last: it is what to open, and what scripts wait for (everything above is printed by then).
    process.stdout.write(`  ${host.url}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    process.stdout.write('Stopping…\n');
    await host.close();
    await engine.close();
    return 0;
  },
};
