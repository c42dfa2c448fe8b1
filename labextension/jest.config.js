/**
 * Unit tests of the model and formatting code (src/__tests__/NAME.spec.ts), set up as
 * the JupyterLab extension template does: @jupyterlab/testing's jest configuration.
 */
const jestJupyterLab = require('@jupyterlab/testing/lib/jest-config');

// ES modules that must be transformed: @jupyterlab/testing's list, and JupyterLab's own.
const esModules = [
  '@codemirror',
  '@marijn',
  '@microsoft',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyter/ydoc',
  '@jupyterlab/',
  '@lumino/',
  'color',
  'exenv-es6',
  'lib0',
  'marked',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  reporters: ['default'],
  testRegex: 'src/(.*/)?__tests__/.*\\.spec\\.tsx?$',
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
