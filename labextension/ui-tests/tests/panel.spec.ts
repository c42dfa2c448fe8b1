import { execFileSync } from 'child_process';
import * as path from 'path';

import {
  expect,
  galata,
  IJupyterLabPageFixture,
  test
} from '@jupyterlab/galata';

/**
 * The server root holds the quickstart notebook, executed by the set-up (seed.py): its
 * store has the quickstart's two real snapshots.
 */
const PANEL_ID = 'jp-mlver-panel';
const BASELINE = 'baseline: 10 shallow trees';
const DEEPER = 'deeper trees';
const SHOTS = path.join(__dirname, '..', 'test-results');

test.use({ autoGoto: true });

async function openPanel(page: IJupyterLabPageFixture) {
  await page.sidebar.getTabLocator(PANEL_ID).click();
  const panel = page.locator(`#${PANEL_ID}`);
  await expect(panel).toBeVisible();
  return panel;
}

/** Open the root's quickstart.ipynb (galata's file browser sits in a per-test folder). */
async function openQuickstart(page: IJupyterLabPageFixture) {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('docmanager:open', {
      path: 'quickstart.ipynb'
    });
  });
  await expect(page.locator('.jp-NotebookPanel')).toBeVisible();
  await page.notebook.activate('quickstart.ipynb');
}

function row(
  panel: ReturnType<IJupyterLabPageFixture['locator']>,
  message: string
) {
  return panel.locator('.jp-mlver-row', {
    has: panel.page().locator('.jp-mlver-row-message', { hasText: message })
  });
}

test.describe('ML Versions side panel', () => {
  test('is in the left sidebar and lists the quickstart snapshots', async ({
    page
  }) => {
    const tab = page.sidebar.getTabLocator(PANEL_ID);
    await expect(tab).toHaveCount(1);
    await expect(tab).toHaveAttribute('title', 'ML Versions');
    const panel = await openPanel(page);
    await expect(
      panel.getByRole('heading', { name: 'ML Versions' })
    ).toBeVisible();
    expect(await page.sidebar.isTabOpen(PANEL_ID)).toBe(true);

    // No notebook open: every snapshot of the root's store, newest first.
    const list = panel.locator('#jp-mlver-list');
    await expect(row(panel, DEEPER)).toHaveCount(1);
    await expect(row(panel, BASELINE)).toHaveCount(1);
    const messages = await list
      .locator('.jp-mlver-row-message')
      .allTextContents();
    expect(messages.indexOf(DEEPER)).toBeLessThan(messages.indexOf(BASELINE));
    await expect(
      row(panel, DEEPER).locator('.jp-mlver-row-params')
    ).toContainText('max_depth=4');

    // The text filter asks the server.
    await panel.locator('#jp-mlver-filter').fill('baseline');
    await expect(row(panel, DEEPER)).toHaveCount(0);
    await expect(row(panel, BASELINE)).toHaveCount(1);
    await panel.locator('#jp-mlver-filter').fill('');
    await expect(row(panel, DEEPER)).toHaveCount(1);

    await page.screenshot({ path: path.join(SHOTS, 'mlver-panel.png') });
  });

  test('shows which records are pushed to a remote', async ({ page }) => {
    const panel = await openPanel(page);
    await expect(
      row(panel, BASELINE).locator('.jp-mlver-pushed-badge')
    ).toHaveText('↑ team');
    await expect(
      row(panel, DEEPER).locator('.jp-mlver-pushed-badge')
    ).toHaveCount(0);
    await row(panel, DEEPER).click();
    await expect(panel.locator('#jp-mlver-remotes')).toHaveText(
      'team: not pushed'
    );
    await panel.locator('#jp-mlver-back').click();
    await row(panel, BASELINE).click();
    await expect(panel.locator('#jp-mlver-remotes')).toHaveText('team: pushed');
  });

  test('opens from the command palette command', async ({ page }) => {
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('mlver:open-panel');
    });
    await expect(page.locator(`#${PANEL_ID}`)).toBeVisible();
  });

  test('shows one record', async ({ page }) => {
    const panel = await openPanel(page);
    await row(panel, DEEPER).click();
    const record = panel.locator('#jp-mlver-record');
    await expect(record.locator('.jp-mlver-record-title')).toHaveText(DEEPER);
    const params = record.locator('.jp-mlver-params');
    await expect(params.locator('tr[data-key="max_depth"] td')).toHaveText('4');
    await expect(params.locator('tr[data-key="n_estimators"] td')).toHaveText(
      '10'
    );
    await expect(
      record.locator('.jp-mlver-metrics tr[data-key="accuracy"]')
    ).toHaveCount(1);
    // the quickstart reads data/wine.csv: an input with its size and hash
    await expect(record.locator('.jp-mlver-data')).toContainText(
      'data/wine.csv'
    );
    await expect(record.locator('.jp-mlver-data')).toContainText('input');
    // packages are there and searchable
    await record.locator('summary', { hasText: 'Packages' }).click();
    await record.locator('.jp-mlver-package-filter').fill('scikit');
    await expect(record.locator('.jp-mlver-packages tr')).toHaveCount(1);
    await expect(record.locator('.jp-mlver-packages')).toContainText(
      'scikit-learn'
    );
    await page.screenshot({ path: path.join(SHOTS, 'mlver-record.png') });

    // Tag it; the tag shows in the record and in the list.
    await record.locator('#jp-mlver-tag-input').fill('ui-best');
    await record.locator('#jp-mlver-tag-button').click();
    await expect(record.locator('.jp-mlver-tags .jp-mlver-tag')).toHaveText([
      'ui-best'
    ]);
    await panel.locator('#jp-mlver-back').click();
    await expect(row(panel, DEEPER).locator('.jp-mlver-tag')).toHaveText(
      'ui-best'
    );
  });

  test('compares two and highlights the changed parameter', async ({
    page
  }) => {
    const panel = await openPanel(page);
    await row(panel, DEEPER).locator('.jp-mlver-compare-check').check();
    await row(panel, BASELINE).locator('.jp-mlver-compare-check').check();
    await panel.locator('#jp-mlver-compare-button').click();

    const compare = panel.locator('#jp-mlver-compare');
    await expect(compare).toBeVisible();
    // older on the left: a = baseline, b = deeper
    await expect(compare.locator('.jp-mlver-compare-sides')).toContainText(
      BASELINE
    );
    const depth = compare.locator(
      '.jp-mlver-compare-params tr[data-key="max_depth"]'
    );
    await expect(depth).toHaveClass(/jp-mlver-changed/);
    await expect(depth.locator('td')).toHaveText(['2', '4', '+2']);
    // unchanged parameters are hidden until asked for
    const trees = compare.locator(
      '.jp-mlver-compare-params tr[data-key="n_estimators"]'
    );
    await expect(trees).toHaveCount(0);
    await compare.getByLabel('unchanged too').check();
    await expect(trees).toHaveAttribute('data-status', 'unchanged');
    await expect(trees).not.toHaveClass(/jp-mlver-changed/);
    // the summary line counts what differs
    await expect(compare.locator('#jp-mlver-compare-summary')).toContainText(
      '1 param(s)'
    );
    await page.screenshot({ path: path.join(SHOTS, 'mlver-compare.png') });
  });

  test('takes a snapshot of the open notebook with the button', async ({
    page
  }) => {
    await openQuickstart(page);
    const panel = await openPanel(page);
    // The list follows the current notebook.
    await expect(panel.locator('#jp-mlver-scope')).toContainText(
      'quickstart.ipynb'
    );
    await expect(row(panel, BASELINE)).toHaveCount(1);

    const button = panel.locator('#jp-mlver-snapshot-button');
    await expect(button).toBeEnabled({ timeout: 60000 }); // once the kernel is up
    await panel.locator('#jp-mlver-snapshot-message').fill('from the "panel"');
    await button.click();
    const mine = row(panel, 'from the "panel"');
    await expect(mine).toHaveCount(1, { timeout: 60000 });
    await expect(panel.locator('#jp-mlver-status')).not.toHaveClass(
      /jp-mod-error/
    );
    // newest first
    await expect(panel.locator('.jp-mlver-row-message').first()).toHaveText(
      'from the "panel"'
    );
    await mine.click();
    const record = panel.locator('#jp-mlver-record');
    await expect(record).toContainText('quickstart.ipynb');
    // the kernel got the document from the frontend, not from disk
    await expect(record).toContainText('(from frontend)');
  });

  test('a %mlver snapshot cell records the notebook as shown, unsaved edits included', async ({
    page
  }) => {
    await openQuickstart(page);
    const count = await page.notebook.getCellCount();
    await page.notebook.addCell('code', '%load_ext jupyter_mlver');
    await page.notebook.runCell(count, true);
    await page.notebook.addCell('markdown', 'an unsaved note');
    await page.notebook.addCell('code', '%mlver snapshot -m "from a cell"');
    await page.notebook.runCell(count + 2, true);

    const panel = await openPanel(page);
    const mine = row(panel, 'from a cell');
    await expect(mine).toHaveCount(1, { timeout: 20000 }); // by the poll
    await mine.click();
    await expect(panel.locator('#jp-mlver-record')).toContainText(
      '(from frontend)'
    );
    // compared with the previous snapshot, the unsaved cells are there
    await panel.locator('#jp-mlver-compare-parent').click();
    const compare = panel.locator('#jp-mlver-compare');
    await expect(
      compare.locator('.jp-mlver-cell.jp-mlver-added', {
        hasText: 'an unsaved note'
      })
    ).toHaveCount(1);
  });

  test('answers the kernel asking for the on-screen notebook', async ({
    page
  }) => {
    await openQuickstart(page);
    // An unsaved edit: the frontend's document has it, the file on disk does not.
    await page.notebook.addCell('markdown', 'unsaved edit marker');
    await page.notebook.addCell(
      'code',
      [
        'import comm',
        '_replies = []',
        "_c = comm.create_comm(target_name='jupyter_mlver', data={'action': 'get_notebook'})",
        "_c.on_msg(lambda m: _replies.append(m['content']['data']))"
      ].join('\n')
    );
    const count = await page.notebook.getCellCount();
    await page.notebook.runCell(count - 1, true);
    await page.notebook.addCell(
      'code',
      [
        'import time',
        '_waited = [time.sleep(0.1) for _i in range(50) if not _replies]',
        "r = _replies[0]; print(r['action'], r['path'], any('unsaved edit marker' in ''.join(c['source']) for c in r['notebook']['cells']))"
      ].join('\n')
    );
    await page.notebook.runCell(count, true);
    const output = await page.notebook.getCellTextOutput(count);
    expect(output?.join('')).toContain('notebook quickstart.ipynb True');
  });

  test('shows a snapshot taken elsewhere without a reload', async ({
    page
  }) => {
    const panel = await openPanel(page);
    const all = panel.locator('#jp-mlver-all');
    if (await all.isEnabled()) {
      await all.check();
    }
    await expect(row(panel, DEEPER)).toHaveCount(1);
    const root = process.env.MLVER_UI_ROOT!;
    execFileSync('jupyter-mlver', ['snapshot', '-m', 'from a terminal'], {
      cwd: root,
      env: { ...process.env, MLVER_STORE: '' }
    });
    // The panel polls every few seconds.
    await expect(row(panel, 'from a terminal')).toHaveCount(1, {
      timeout: 20000
    });
  });

  test('lists the files of a directory recorded as a tree, a page at a time', async ({
    page
  }) => {
    const root = process.env.MLVER_UI_ROOT!;
    execFileSync(
      'jupyter-mlver',
      ['snapshot', '-m', 'a data directory', '--data', 'data'],
      { cwd: root, env: { ...process.env, MLVER_STORE: '' } }
    );
    const panel = await openPanel(page);
    await expect(row(panel, 'a data directory')).toHaveCount(1, {
      timeout: 20000
    });
    await row(panel, 'a data directory').click();
    const record = panel.locator('#jp-mlver-record');
    const toggle = record.locator('.jp-mlver-tree-toggle');
    await expect(toggle).toContainText('data/');
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await toggle.click();
    const files = record.locator('.jp-mlver-tree-files[data-path="data"]');
    await expect(files).toContainText('wine.csv');
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await files.screenshot({ path: path.join(SHOTS, 'tree-files.png') });
  });

  test('is usable with the keyboard', async ({ page }) => {
    const panel = await openPanel(page);
    const list = panel.locator('#jp-mlver-list');
    await expect(list.locator('.jp-mlver-row').first()).toBeVisible();
    // The record is held back until the back button has been focused while it loads: the
    // focus must survive the record arriving.
    let release: () => void = () => undefined;
    const held = new Promise<void>(resolve => (release = resolve));
    await page.route(
      /\/jupyter-mlver\/snapshots\/[0-9a-f]{64}(\?|$)/,
      async route => {
        await held;
        await route.continue();
      }
    );
    await list.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    const record = panel.locator('#jp-mlver-record');
    await expect(record).toContainText('Loading');
    const back = panel.locator('#jp-mlver-back');
    await back.focus();
    release();
    await expect(record).toHaveAttribute('data-id', /^[0-9a-f]{64}$/);
    await expect(back).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(panel.locator('#jp-mlver-list')).toBeVisible();
  });
});

test.describe('dark theme', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      '@jupyterlab/apputils-extension:themes': { theme: 'JupyterLab Dark' }
    }
  });

  test('the panel follows the theme', async ({ page }) => {
    const panel = await openPanel(page);
    await expect(row(panel, DEEPER)).toHaveCount(1);
    const colors = await panel.evaluate(node => {
      const style = getComputedStyle(node);
      return { bg: style.backgroundColor, fg: style.color };
    });
    // dark background, light text
    const lum = (c: string) =>
      c
        .match(/\d+/g)!
        .slice(0, 3)
        .map(Number)
        .reduce((a, b) => a + b, 0);
    expect(lum(colors.bg)).toBeLessThan(lum(colors.fg));
    await page.screenshot({ path: path.join(SHOTS, 'mlver-panel-dark.png') });
  });
});

test.describe('Run with parameters', () => {
  test('runs a sweep of the open notebook and ranks the runs', async ({
    page
  }) => {
    const name = `sweep-${Date.now()}.ipynb`;
    const cell = (source: string, tags: string[] = []) => ({
      cell_type: 'code',
      source,
      metadata: { tags },
      outputs: [],
      execution_count: null
    });
    await page.evaluate(
      async ({ name, cells }) => {
        await window.jupyterapp.serviceManager.contents.save(name, {
          type: 'notebook',
          format: 'json',
          content: {
            nbformat: 4,
            nbformat_minor: 5,
            metadata: {
              kernelspec: {
                name: 'python3',
                language: 'python',
                display_name: 'Python 3'
              }
            },
            cells
          }
        });
        await window.jupyterapp.commands.execute('docmanager:open', {
          path: name
        });
      },
      {
        name,
        cells: [
          cell('depth = 1\nrate = 0.5', ['parameters']),
          cell('%load_ext jupyter_mlver'),
          cell('%mlver log score={depth * rate}')
        ]
      }
    );
    await expect(page.locator('.jp-NotebookPanel')).toBeVisible();
    const panel = await openPanel(page);
    await expect(panel.locator('#jp-mlver-scope')).toContainText(name);

    await panel.locator('#jp-mlver-run-button').click();
    const dialog = panel.locator('#jp-mlver-run-dialog');
    await expect(dialog).toBeVisible();
    await dialog.locator('#jp-mlver-run-params').fill('rate=2');
    await dialog.locator('#jp-mlver-run-sweep').fill('depth=1,3');
    await dialog.locator('#jp-mlver-run-jobs').fill('2');
    await dialog.locator('#jp-mlver-run-metric').fill('score');
    await dialog.locator('#jp-mlver-run-start').click();

    const job = dialog.locator('#jp-mlver-run-job');
    await expect(job).toHaveAttribute('data-state', 'succeeded', {
      timeout: 180000
    });
    await expect(job).toContainText(
      '2/2 run(s) done · 2 run(s): 2 ok, 0 failed'
    );
    const rows = dialog.locator('#jp-mlver-run-results tbody tr');
    await expect(rows).toHaveCount(2);
    // best score first: depth 3 * rate 2 = 6, then depth 1 * rate 2 = 2
    await expect(rows.nth(0)).toContainText('ok');
    await expect(rows.nth(0).locator('td').nth(3)).toHaveText('3');
    await expect(rows.nth(0).locator('td').nth(4)).toHaveText('6');
    await expect(rows.nth(1).locator('td').nth(4)).toHaveText('2');
    await page.screenshot({ path: path.join(SHOTS, 'mlver-run.png') });

    await rows.nth(0).locator('.jp-mlver-link').click();
    const record = panel.locator('#jp-mlver-record');
    await expect(record).toContainText('depth');
    await expect(record).toContainText('score');
  });
});
