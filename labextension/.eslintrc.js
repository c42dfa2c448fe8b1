module.exports = {
  root: true,
  extends: [
    'eslint:recommended',
    'plugin:@typescript-eslint/eslint-recommended',
    'plugin:@typescript-eslint/recommended',
    'plugin:prettier/recommended'
  ],
  parser: '@typescript-eslint/parser',
  parserOptions: {
    project: ['tsconfig.json', 'tsconfig.test.json'],
    sourceType: 'module'
  },
  plugins: ['@typescript-eslint'],
  overrides: [
    {
      // A test file's describe() holds its tests: its length is not a component's.
      files: ['src/__tests__/**'],
      rules: { 'max-lines-per-function': 'off' }
    }
  ],
  rules: {
    '@typescript-eslint/naming-convention': [
      'error',
      {
        selector: 'interface',
        format: ['PascalCase'],
        custom: { regex: '^I[A-Z]', match: true }
      }
    ],
    '@typescript-eslint/no-unused-vars': ['warn', { args: 'none' }],
    '@typescript-eslint/no-explicit-any': 'off',
    '@typescript-eslint/no-namespace': 'off',
    '@typescript-eslint/no-use-before-define': 'off',
    curly: ['error', 'all'],
    // The project's size budget (issue 21): files of at most 400 lines, components (and
    // every other function) of at most 150.
    'max-lines': [
      'error',
      { max: 400, skipBlankLines: false, skipComments: false }
    ],
    'max-lines-per-function': [
      'error',
      { max: 150, skipBlankLines: false, skipComments: false, IIFEs: true }
    ],
    eqeqeq: 'error',
    'prefer-arrow-callback': 'error'
  }
};
