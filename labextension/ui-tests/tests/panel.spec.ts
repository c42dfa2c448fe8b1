import * as path from 'path';

import { expect, test } from '@jupyterlab/galata';

const PANEL_ID = 'jp-mlver-panel';

test.describe('ML Versions side panel', () => {
  test('is in the left sidebar and opens', async ({ page }) => {
    const tab = page.sidebar.getTabLocator(PANEL_ID);
    await expect(tab).toHaveCount(1);
    await expect(tab).toHaveAttribute('title', 'ML Versions');

    await tab.click();

    const panel = page.locator(`#${PANEL_ID}`);
    await expect(panel).toBeVisible();
    await expect(
      panel.getByRole('heading', { name: 'ML Versions' })
    ).toBeVisible();
    expect(await page.sidebar.isTabOpen(PANEL_ID)).toBe(true);

    await page.screenshot({
      path: path.join(__dirname, '..', 'test-results', 'mlver-panel.png')
    });
  });

  test('opens from the command palette command', async ({ page }) => {
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('mlver:open-panel');
    });
    await expect(page.locator(`#${PANEL_ID}`)).toBeVisible();
  });
});
