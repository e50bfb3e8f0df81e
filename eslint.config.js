import tseslint from 'typescript-eslint';

/** Bounded contexts (DESIGN.md §2): none imports another's code; they meet only through events and contracts. */
const CONTEXTS = ['missions', 'accreditation', 'deployment', 'observation', 'statements', 'audit'];
const INFRASTRUCTURE = [
  '@nestjs/*',
  'typeorm',
  'pg',
  'kafkajs',
  '@grpc/*',
  'node:fs',
  'node:net',
  'node:http',
];

const contextBoundary = (context) => ({
  files: [`libs/${context}/src/**/*.ts`],
  ignores: ['libs/*/src/domain/**'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        // `#name` would read as a comment in a gitignore-style pattern: package imports go in `paths`.
        paths: CONTEXTS.filter((other) => other !== context).map((other) => ({
          name: `#${other}`,
          message: `the ${context} context may not import the ${other} context`,
        })),
        patterns: CONTEXTS.filter((other) => other !== context).map((other) => ({
          group: [`**/${other}/src/**`],
          message: `the ${context} context may not import the ${other} context`,
        })),
      },
    ],
  },
});

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'deploy/kafka/.jars/**', 'coverage/**', 'test/e2e/generated/**', 'libs/contracts/src/generated/**'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...CONTEXTS.map(contextBoundary),
  {
    // Apps are thin hosts (DESIGN.md §5): what two of them share lives in a lib.
    files: ['apps/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../*/src/**', '**/apps/*/src/**'],
              message: "an app imports no other app's files: share it through a lib",
            },
          ],
        },
      ],
    },
  },
  {
    // The domain stays pure: no framework, ORM or I/O, and no other context, inside any domain/ folder.
    files: ['libs/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: CONTEXTS.map((context) => ({
            name: `#${context}`,
            message: 'a domain imports no other context',
          })),
          patterns: INFRASTRUCTURE.map((name) => ({
            group: [name],
            message: 'the domain is plain TypeScript: no framework, ORM or I/O',
          })),
        },
      ],
    },
  },
);
