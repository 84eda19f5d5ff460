import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module) builds; Node loads the CJS one for every
    // importer, Vite would hand our files the ESM one, and two graphql realms cannot share a schema.
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // An unhandled rejection or uncaught exception anywhere in the suite fails the run, even when
    // every assertion passed (vitest's default, kept explicit: it caught a stray undici abort once).
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
