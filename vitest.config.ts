import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Engine tests run real ONNX Runtime and SQLite; on 2 cores one fork at a time keeps them honest.
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll gives up after 1 s by default: on a loaded machine (load ~8 on 2 cores) a page can
    // take longer than that to settle. A poll still ends as soon as its value matches.
    expect: { poll: { timeout: 30_000 } },
  },
});
