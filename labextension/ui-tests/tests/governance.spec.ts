import * as path from 'path';

import {
  expect,
  galata,
  IJupyterLabPageFixture,
  test
} from '@jupyterlab/galata';

/**
 * The seeded store's models (seed.py, seed_models.py): "churn", five versions whose acc
 * falls from about 0.9 to 0.8, production forced onto version 5 (from drift.ipynb's second
 * snapshot, which recorded data/train.csv): "retrain"; "credit", deployed as "credit-eu"
 * with version 2 stable and a worse version 3 as a 20% canary: "roll back"; the
 * quickstart's "wine", two versions with accuracy rising: "ok".
 */
const DASHBOARD_ID = 'jp-mlver-dashboard';
const PANEL_ID = 'jp-mlver-panel';
const SHOTS = path.join(__dirname, '..', 'test-results');

test.use({ autoGoto: true });

async function openModels(page: IJupyterLabPageFixture) {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('mlver:open-dashboard', {
      tab: 'models'
    });
  });
  const dashboard = page.locator(`#${DASHBOARD_ID}`);
  await expect(dashboard).toBeVisible();
  await expect(
    dashboard.locator('#jp-mlver-dash-section-models')
  ).toHaveAttribute('aria-selected', 'true');
  const table = dashboard.locator('#jp-mlver-governance');
  await expect(table).toBeVisible({ timeout: 60000 });
  await page.sidebar.close('left'); // the whole table in view
  return { dashboard, table };
}

function row(
  table: ReturnType<IJupyterLabPageFixture['locator']>,
  name: string
) {
  return table.locator(`.jp-mlver-gov-row[data-name="${name}"]`);
}

test.describe('Models dashboard (governance)', () => {
  test('a row per model with its recommendation', async ({ page }) => {
    const { dashboard, table } = await openModels(page);
    await expect(table.locator('.jp-mlver-gov-row')).toHaveCount(3);
    await expect(dashboard.locator('#jp-mlver-gov-count')).toContainText(
      '3 model(s)'
    );

    const churn = row(table, 'churn');
    await expect(churn).toHaveAttribute('data-action', 'retrain');
    const badge = churn.locator('.jp-mlver-rec');
    await expect(badge).toHaveText('retrain');
    await expect(badge).toHaveAttribute('title', /^acc is falling: -0\.0\d+/);
    await expect(churn).toContainText('v5 of 5');
    await expect(
      churn.locator('.jp-mlver-alias[data-alias="production"]')
    ).toHaveText('production → 5');
    await expect(churn).toContainText('alias production');
    // The metric, its trend drawn from the five versions, falling.
    await expect(churn.locator('td').nth(3)).toContainText('acc 0.8');
    const trend = churn.locator('.jp-mlver-gov-trend');
    await expect(trend).toHaveClass(/jp-mod-falling/);
    await expect(trend.locator('.jp-mlver-spark-point')).toHaveCount(5);
    await expect(trend.locator('.jp-mlver-gov-slope')).toHaveText(
      /^−0\.0\d+\/v$/
    );
    // Freshness: its snapshot recorded data/train.csv.
    await expect(churn.locator('td').nth(4)).toContainText('data ');
    await expect(
      churn.locator('td').nth(4).locator('span').first()
    ).toHaveAttribute('title', /newest training file: data\/train\.csv/);
    // Not served: no live drift.
    await expect(churn.locator('td').nth(5)).toHaveText('—');

    const wine = row(table, 'wine');
    await expect(wine).toHaveAttribute('data-action', 'ok');
    await expect(wine.locator('.jp-mlver-rec')).toHaveText('ok');
    await expect(wine.locator('.jp-mlver-rec')).toHaveAttribute(
      'title',
      /too few versions with accuracy for a trend; not served/
    );

    // A deployment whose canary is worse than its stable version.
    const credit = row(table, 'credit');
    await expect(credit).toHaveAttribute('data-action', 'roll back');
    await expect(credit.locator('.jp-mlver-rec')).toHaveAttribute(
      'title',
      /^credit:3 \(20% canary in deployment credit-eu\) has acc=0\.8\d*, worse than 0\.8\d* of the stable credit:2$/
    );
    await expect(credit).toContainText('deployment credit-eu');
    await expect(credit).toContainText('canary v3 20%');
    await credit.locator('.jp-mlver-rec').click();
    await expect(
      table.locator(
        '.jp-mlver-gov-reasons[data-name="credit"] .jp-mlver-gov-deployment'
      )
    ).toHaveAttribute('data-deployment', 'credit-eu');
    await credit.locator('.jp-mlver-rec').click();

    // The reason unfolds under the row.
    await badge.click();
    const reasons = table.locator('.jp-mlver-gov-reasons[data-name="churn"]');
    await expect(reasons).toBeVisible();
    await expect(reasons).toContainText('acc is falling');
    await expect(reasons).toContainText('over versions 1–5 (linear fit)');
    await expect(dashboard.locator('#jp-mlver-gov-rules')).toContainText(
      'retrain when the live drift share ≥ 0.5'
    );
    await page.screenshot({ path: path.join(SHOTS, 'mlver-governance.png') });
    await badge.click();
    await expect(reasons).toHaveCount(0);

    // A model's name opens it in the side panel's models view.
    await churn.locator('.jp-mlver-gov-model').click();
    const panel = page.locator(`#${PANEL_ID}`);
    await expect(panel).toBeVisible();
    await expect(
      panel.locator('#jp-mlver-model .jp-mlver-record-title')
    ).toHaveText('churn');
  });

  test('opens from the palette, and the tabs switch parts', async ({
    page
  }) => {
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute(
        'apputils:activate-command-palette'
      );
    });
    await page.keyboard.type('Model Health Dashboard');
    const item = page.locator('.lm-CommandPalette-item', {
      hasText: 'Open the Model Health Dashboard'
    });
    await expect(item).toHaveCount(1);
    await item.click();
    const dashboard = page.locator(`#${DASHBOARD_ID}`);
    await expect(dashboard.locator('#jp-mlver-governance')).toBeVisible({
      timeout: 60000
    });
    await dashboard.locator('#jp-mlver-dash-section-experiments').click();
    await expect(dashboard.locator('#jp-mlver-governance')).toHaveCount(0);
    await expect(dashboard.locator('#jp-mlver-dash-table')).toBeVisible();
    // Opened on Models, the experiments load when their tab is shown.
    await expect(dashboard.locator('#jp-mlver-dash-count')).toHaveText(
      /^10004 of 10004 snapshot\(s\)$/,
      { timeout: 60000 }
    );
    await dashboard.locator('#jp-mlver-dash-section-models').click();
    await expect(row(dashboard, 'churn')).toHaveAttribute(
      'data-action',
      'retrain'
    );
  });
});

test.describe('Models dashboard in the dark theme', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      '@jupyterlab/apputils-extension:themes': { theme: 'JupyterLab Dark' }
    }
  });

  test('follows the theme', async ({ page }) => {
    const { dashboard, table } = await openModels(page);
    await expect(row(table, 'churn')).toHaveAttribute('data-action', 'retrain');
    const lum = (c: string) =>
      c
        .match(/\d+/g)!
        .slice(0, 3)
        .map(Number)
        .reduce((a, b) => a + b, 0);
    const pane = await dashboard.locator('.jp-mlver-dash').evaluate(node => {
      const style = getComputedStyle(node);
      return { bg: style.backgroundColor, fg: style.color };
    });
    expect(lum(pane.bg)).toBeLessThan(lum(pane.fg));
    // The badges keep their colours apart in the dark theme too.
    const badges = await table
      .locator('.jp-mlver-gov-row .jp-mlver-rec')
      .evaluateAll(nodes =>
        nodes.map(n => getComputedStyle(n).backgroundColor)
      );
    expect(new Set(badges).size).toBe(3);
    await page.screenshot({
      path: path.join(SHOTS, 'mlver-governance-dark.png')
    });
  });
});
