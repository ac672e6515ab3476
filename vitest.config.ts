import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 120_000,
    // Browser and peer suites start servers; two cores do not like many at once.
    maxWorkers: 2,
    env: { NODE_ENV: 'test' },
    // Browser polls wait on hydration and servers; a busy two-core CI machine needs more than the 1 s default.
    expect: { poll: { timeout: 10_000, interval: 50 } },
    // @clerk/astro reads `import.meta.env`, which only exists once Vite has transformed it (as Astro's build does).
    server: { deps: { inline: ['@clerk/astro'] } },
  },
});
