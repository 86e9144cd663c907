/**
 * swc only transpiles: `npm test` type-checks everything with `tsc -p .` before Jest runs, so
 * checking types again per test file (as ts-jest does) would only cost time. Same output as tsc
 * for this code: ES2022 with define semantics for class fields (tsc's default at that target),
 * CommonJS, inline source maps so that stack traces point at the TypeScript lines.
 */
const swc = (parser) => [
  '@swc/jest',
  {
    swcrc: false,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: { target: 'es2022', parser, transform: { useDefineForClassFields: true } },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': swc({ syntax: 'typescript' }),
    // @middy/core is ESM-only: turn it into CommonJS like our own code.
    '^.+\\.js$': swc({ syntax: 'ecmascript' }),
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 60_000,
  // One worker per core. Jest's default (cores - 1) is a single worker on a 2-core machine, and
  // Jest then runs every file in its own process, one after the other, while the other core
  // only serves the few tests that spawn a process (npm pack, cfn-lint).
  maxWorkers: '100%',
};
