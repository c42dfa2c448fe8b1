/**
 * Playwright configuration for the jupyter_mlver browser tests.
 *
 * - Uses Debian's Chromium (/usr/bin/chromium, override with MLVER_CHROMIUM);
 *   Playwright never downloads a browser (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
 * - Starts its own JupyterLab through jupyter_server_test_config.py on
 *   MLVER_UI_PORT (default 8888); MLVER_UI_REUSE_SERVER=1 reuses one already
 *   listening there instead.
 * - MLVER_UI_ROOT is the server root (default: a new temporary folder).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// The server root: the server config seeds it with the executed quickstart notebook,
// the tests read it to take snapshots from outside the browser. Set here (once, in the
// runner process) so the web server and the test workers share it.
if (!process.env.MLVER_UI_ROOT) {
  process.env.MLVER_UI_ROOT = fs.mkdtempSync(
    path.join(os.tmpdir(), 'mlver-ui-')
  );
}

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD =
  process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD || '1';

const port = process.env.MLVER_UI_PORT || '8888';
const baseURL = `http://127.0.0.1:${port}`;
const executablePath = process.env.MLVER_CHROMIUM || '/usr/bin/chromium';

module.exports = {
  ...baseConfig,
  testDir: './tests',
  outputDir: path.join(__dirname, 'test-results', 'artifacts'),
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'playwright-report' }]
  ],
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  use: {
    ...baseConfig.use,
    baseURL,
    video: 'off',
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-gpu'
      ]
    }
  },
  projects: [
    {
      name: 'chromium',
      use: { browserName: 'chromium' }
    }
  ],
  webServer: {
    // The server log goes to test-results/jupyter-server.log (an artifact).
    command:
      'mkdir -p test-results && jlpm start > test-results/jupyter-server.log 2>&1',
    url: `${baseURL}/lab`,
    // Seeding executes the quickstart notebook before the server listens.
    timeout: 240 * 1000,
    // Reusing a server that happens to answer on the port would test whatever
    // it serves: only do it when asked to.
    reuseExistingServer: process.env.MLVER_UI_REUSE_SERVER === '1'
  }
};
