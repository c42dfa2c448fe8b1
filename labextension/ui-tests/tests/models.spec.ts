import { execFileSync } from 'child_process';
import * as path from 'path';

import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

/**
 * The seeded quickstart registers the model "wine": version 1 (10 shallow trees,
 * accuracy 0.944) and version 2 (deeper trees, accuracy 0.963), production on version 2,
 * guarded by accuracy.
 */
const PANEL_ID = 'jp-mlver-panel';
const SHOTS = path.join(__dirname, '..', 'test-results');

test.use({ autoGoto: true });

/** Put production back on version 2 (a retried test finds the store as it was left). */
function resetProduction(): void {
  execFileSync(
    'jupyter-mlver',
    [
      'model',
      'alias',
      'wine:2',
      'production',
      '--force',
      '--reason',
      'browser test set-up'
    ],
    {
      cwd: process.env.MLVER_UI_ROOT!,
      env: { ...process.env, MLVER_STORE: '' }
    }
  );
}

async function openModels(page: IJupyterLabPageFixture) {
  await page.sidebar.getTabLocator(PANEL_ID).click();
  const panel = page.locator(`#${PANEL_ID}`);
  await expect(panel).toBeVisible();
  await panel.locator('#jp-mlver-tab-models').click();
  await expect(panel.locator('#jp-mlver-tab-models')).toHaveAttribute(
    'aria-selected',
    'true'
  );
  return panel;
}

test.describe('ML Versions panel: models', () => {
  test('lists the models with their aliases and shows one', async ({
    page
  }) => {
    resetProduction();
    const panel = await openModels(page);
    const wine = panel.locator('.jp-mlver-model-row[data-name="wine"]');
    await expect(wine).toContainText('v2 · 2 version(s)');
    await expect(wine.locator('.jp-mlver-alias')).toHaveText('production → 2');
    await wine.click();

    const model = panel.locator('#jp-mlver-model');
    await expect(model).toBeVisible();
    await expect(model.locator('.jp-mlver-record-title')).toHaveText('wine');
    const versions = model.locator('.jp-mlver-model-version');
    await expect(versions).toHaveCount(2);
    // Newest first, each with its snapshot's accuracy (the gate metric).
    await expect(versions.nth(0)).toHaveAttribute('data-version', '2');
    await expect(versions.nth(0)).toContainText('0.962963');
    await expect(versions.nth(0)).toContainText('production');
    await expect(versions.nth(1)).toContainText('0.944444');
    await expect(versions.nth(1)).toContainText('10 shallow trees');
    await expect(model.locator('#jp-mlver-alias-history')).toContainText(
      'production'
    );
    // Version 2's serving image (model build), with its reference to copy.
    const image = versions.nth(0).locator('.jp-mlver-model-image');
    await expect(image).toHaveCount(1);
    await expect(image.locator('.jp-mlver-image-ref')).toHaveText('wine:2');
    await expect(image).toContainText('serving image');
    await expect(image.locator('.jp-mlver-copy-ref')).toBeVisible();
    await expect(versions.nth(1).locator('.jp-mlver-model-image')).toHaveCount(
      0
    );
    await page.screenshot({ path: path.join(SHOTS, 'mlver-models.png') });

    // A version links to the snapshot it came from.
    await versions.nth(0).locator('.jp-mlver-version-snapshot').click();
    const record = panel.locator('#jp-mlver-record');
    await expect(record).toBeVisible();
    await expect(record.locator('.jp-mlver-record-title')).toHaveText(
      'deeper trees'
    );
    await panel.locator('#jp-mlver-tab-models').click();
    await expect(panel.locator('#jp-mlver-model')).toBeVisible();
    await panel.locator('#jp-mlver-models-back').click();
    await expect(panel.locator('#jp-mlver-models')).toBeVisible();
  });

  test('moves an alias: the guard refuses a worse version, a reason overrides it, rollback undoes it', async ({
    page
  }) => {
    resetProduction();
    const panel = await openModels(page);
    await panel.locator('.jp-mlver-model-row[data-name="wine"]').click();
    const model = panel.locator('#jp-mlver-model');
    const events = model.locator('.jp-mlver-alias-event');
    await expect(events.first()).toBeVisible();
    const before = await events.count();

    await model.locator('#jp-mlver-alias-version').selectOption('1');
    await model.locator('#jp-mlver-alias-name').fill('production');
    await model.locator('#jp-mlver-alias-move').click();
    const refusal = model.locator('#jp-mlver-alias-error');
    await expect(refusal).toContainText(
      'wine:1 has accuracy=0.944444, worse than accuracy=0.962963 of wine:2'
    );
    await expect(refusal).toContainText('--force --reason');
    await expect(events).toHaveCount(before);
    await page.screenshot({
      path: path.join(SHOTS, 'mlver-models-guard.png')
    });

    // Overriding needs a reason.
    await model.locator('#jp-mlver-alias-force').check();
    await expect(model.locator('#jp-mlver-alias-move')).toBeDisabled();
    await model.locator('#jp-mlver-alias-reason').fill('compare in production');
    await model.locator('#jp-mlver-alias-move').click();
    await expect(model.locator('#jp-mlver-alias-done')).toHaveText(
      'production → 1 (was 2)'
    );
    await expect(events).toHaveCount(before + 1);
    await expect(events.first()).toContainText('forced');
    await expect(events.first()).toContainText('compare in production');
    await expect(model.locator('#jp-mlver-model-aliases')).toContainText(
      'production → 1'
    );

    // Rollback moves it back to the version that held it before.
    await model.locator('.jp-mlver-rollback[data-alias="production"]').click();
    await expect(model.locator('#jp-mlver-alias-done')).toHaveText(
      'production → 2 (was 1)'
    );
    await expect(events).toHaveCount(before + 2);
    await expect(events.first()).toContainText('rollback');
    await expect(model.locator('#jp-mlver-model-aliases')).toContainText(
      'production → 2'
    );
  });

  test('shows an alias moved elsewhere without a reload', async ({ page }) => {
    resetProduction();
    const panel = await openModels(page);
    await panel.locator('.jp-mlver-model-row[data-name="wine"]').click();
    const model = panel.locator('#jp-mlver-model');
    await expect(model.locator('.jp-mlver-model-version')).toHaveCount(2);
    execFileSync('jupyter-mlver', ['model', 'alias', 'wine:1', 'staging'], {
      cwd: process.env.MLVER_UI_ROOT!,
      env: { ...process.env, MLVER_STORE: '' }
    });
    await expect(model.locator('#jp-mlver-model-aliases')).toContainText(
      'staging → 1',
      { timeout: 20000 }
    );
  });
});
