// One linter for the whole tree: typescript-eslint's recommended rules; formatting is Prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What no file under lambda/ may import. */
const RUNTIME_ONLY = [
  {
    group: ['**/lib', '**/lib/**', '**/bin/**', '**/local/**', '**/bench/**'],
    message: 'lambda/ holds runtime code only: no constructs, synth-only checks or tools.',
  },
  { group: ['aws-cdk-lib', 'aws-cdk-lib/**', 'constructs'], message: 'No CDK in a Lambda bundle.' },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', 'bench/results/', 'dist/', 'examples/node_modules/', 'examples/cdk.out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The example is another team's app in plain CommonJS, as `cdk init --language javascript` writes it.
    files: ['examples/**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // DESIGN.md's dependency rules: a Lambda bundle holds runtime code only. Synth-only code (the
    // constructs, configuration checks, did-you-mean) lives under lib/ and never reaches a function.
    files: ['lambda/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: RUNTIME_ONLY }] },
  },
  {
    files: ['lambda/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...RUNTIME_ONLY,
            {
              group: ['../start-watch/**', '../checker/**', '../register-watch/**', '../notify/**'],
              message: 'lambda/shared depends on nothing of ours above it.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests build malformed events on purpose.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
