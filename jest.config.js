/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/sim', '<rootDir>/test', '<rootDir>/bench'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    // Browser components (src/addin): TSX with React's automatic runtime; tests opt into jsdom
    // with a `@jest-environment jsdom` docblock.
    '^.+\\.tsx$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } }, target: 'es2023' },
        module: { type: 'commonjs' },
      },
    ],
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'commonjs' } }],
  },
  // jose 6 ships ESM only: let swc turn it into CommonJS for jest's module system.
  // office-addin-mock needs strip-bom and uuid transformed too (TOOLCHAIN.md).
  transformIgnorePatterns: ['/node_modules/(?!(.+/node_modules/)?(jose|strip-bom|uuid)/)'],
  testTimeout: 30000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
