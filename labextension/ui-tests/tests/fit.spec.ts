import * as fs from 'fs';
import * as path from 'path';

import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import { fitProblems } from './fit';

/**
 * The side panel at 250 pixels (JupyterLab's default sidebar width) and 500: every view
 * of the seeded store (seed.py) fits, nothing is broken inside a word, and cut text has
 * an ellipsis and a tooltip. Screenshots of each view at each width are kept in
 * test-results/widths/.
 */
const PANEL_ID = 'jp-mlver-panel';
const DEEPER = 'deeper trees';
const BASELINE = 'baseline: 10 shallow trees';
const SHOTS = path.join(__dirname, '..', 'test-results', 'widths');
const REPO = path.resolve(__dirname, '..', '..', '..');

type Locator = ReturnType<IJupyterLabPageFixture['locator']>;

test.use({ autoGoto: true });

async function panelWidth(panel: Locator): Promise<number> {
  return Math.round((await panel.boundingBox())!.width);
}

async function openPanelAt(page: IJupyterLabPageFixture, width: number) {
  await page.sidebar.getTabLocator(PANEL_ID).click();
  const panel = page.locator(`#${PANEL_ID}`);
  await expect(panel).toBeVisible();
  await page.sidebar.setWidth(width);
  await expect.poll(() => panelWidth(panel)).toBeGreaterThanOrEqual(width - 2);
  expect(await panelWidth(panel)).toBeLessThanOrEqual(width + 2);
  return panel;
}

function row(panel: Locator, message: string) {
  return panel.locator('.jp-mlver-row', {
    has: panel.page().locator('.jp-mlver-row-message', { hasText: message })
  });
}

/** Check the panel as it is now, and keep a picture of it. */
async function expectFits(panel: Locator, name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await panel.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  const problems = await fitProblems(panel);
  expect(problems, name).toEqual({ broken: [], cut: [], sideways: [] });
}

for (const width of [250, 500]) {
  test.describe(`the side panel at ${width} pixels`, () => {
    test('the list, a record, a comparison', async ({ page }) => {
      const panel = await openPanelAt(page, width);
      await expect(row(panel, DEEPER)).toHaveCount(1);
      await expectFits(panel, `${width}-list`);

      await row(panel, DEEPER).click();
      const record = panel.locator('#jp-mlver-record');
      await expect(record.locator('.jp-mlver-data')).toContainText(
        'data/predictions.csv'
      );
      // Every section unfolded: system, packages, git too.
      await record.evaluate(node =>
        node.querySelectorAll('details').forEach(d => (d.open = true))
      );
      await expectFits(panel, `${width}-record`);

      await panel.locator('#jp-mlver-back').click();
      await row(panel, DEEPER).locator('.jp-mlver-compare-check').check();
      await row(panel, BASELINE).locator('.jp-mlver-compare-check').check();
      await panel.locator('#jp-mlver-compare-button').click();
      const compare = panel.locator('#jp-mlver-compare');
      await expect(compare.locator('.jp-mlver-compare-params')).toBeVisible();
      await compare.getByLabel('unchanged too').check();
      await expectFits(panel, `${width}-compare`);
    });

    test('the models and one model', async ({ page }) => {
      const panel = await openPanelAt(page, width);
      await panel.locator('#jp-mlver-tab-models').click();
      const wine = panel.locator('.jp-mlver-model-row[data-name="wine"]');
      await expect(wine).toBeVisible();
      await expectFits(panel, `${width}-models`);
      await wine.click();
      await expect(panel.locator('.jp-mlver-model-version')).toHaveCount(2);
      await expectFits(panel, `${width}-model`);
    });

    test('the run dialog', async ({ page }) => {
      await page.evaluate(async () => {
        await window.jupyterapp.commands.execute('docmanager:open', {
          path: 'quickstart.ipynb'
        });
      });
      const panel = await openPanelAt(page, width);
      await panel.locator('#jp-mlver-run-button').click();
      await expect(panel.locator('#jp-mlver-run-dialog')).toBeVisible();
      await expectFits(panel, `${width}-run`);
    });
  });
}

test.describe('the side panel between sessions', () => {
  test('keeps its width', async ({ page }) => {
    // The layout (the sidebar's width among it) is saved in the workspace a moment
    // after it changes: reload once it has been.
    const split = (await page.locator('#jp-main-split-panel').boundingBox())!;
    const saved = page.waitForRequest(request => {
      if (
        request.method() !== 'PUT' ||
        !/\/api\/workspaces/.test(request.url())
      ) {
        return false;
      }
      const layout = request.postDataJSON()?.data?.['layout-restorer:data'];
      const left = layout?.relativeSizes?.[0] ?? 0;
      return Math.abs(left * split.width - 420) < 12;
    });
    await openPanelAt(page, 420);
    await saved;
    await page.reload();
    const panel = page.locator(`#${PANEL_ID}`);
    await expect(panel).toBeVisible();
    await expect.poll(() => panelWidth(panel)).toBeGreaterThanOrEqual(418);
    expect(await panelWidth(panel)).toBeLessThanOrEqual(422);
  });
});

test.describe('the quickstart notebook', () => {
  test('opens clean: its kernel starting does not mark it modified', async ({
    page,
    tmpPath
  }) => {
    const name = 'quickstart.ipynb';
    const local = path.join(REPO, 'notebooks', name);
    const saved = JSON.parse(fs.readFileSync(local, 'utf-8'));
    // Until the notebook is saved with the language_info a kernel reports, JupyterLab
    // fills it in when the kernel starts and the notebook shows as modified: expected to
    // fail then (and reported if it passes), a real check once it is.
    test.fail(
      !saved.metadata?.language_info?.version,
      'notebooks/quickstart.ipynb has no full metadata.language_info yet'
    );
    await page.contents.uploadFile(local, `${tmpPath}/${name}`);
    await page.filebrowser.openDirectory(tmpPath);
    await page.notebook.open(name);
    await page.notebook.activate(name);
    // The kernel's answer to kernel_info fills in language_info (when the notebook
    // lacks it, that modifies the document): wait for both, then look.
    await page.waitForFunction(
      () => {
        const widget: any = window.jupyterapp.shell.currentWidget;
        const info = widget?.context?.model?.getMetadata('language_info');
        const kernel = widget?.sessionContext?.session?.kernel;
        return !!info?.version && kernel?.status === 'idle';
      },
      undefined,
      { timeout: 120000 }
    );
    const dirty = await page.evaluate(
      () => (window.jupyterapp.shell.currentWidget as any).context.model.dirty
    );
    expect(dirty).toBe(false);
    await expect(page.locator('.lm-TabBar-tab.jp-mod-dirty')).toHaveCount(0);
  });
});
