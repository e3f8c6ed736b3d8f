// A child process for memory measurements: runs `loupe ARGS` in this process, then prints, as its
// last stdout line, the exit code and this process's peak resident memory (Linux's VmHWM).
import { readFileSync } from 'node:fs';
import { main } from '../../native/cli.js';

const code = await main(process.argv.slice(2));
const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
const peakRssBytes = hwm ? Number(hwm[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
process.stdout.write(`\n${JSON.stringify({ code, peakRssBytes })}\n`);
