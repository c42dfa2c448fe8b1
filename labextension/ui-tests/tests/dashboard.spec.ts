import * as path from 'path';

import {
  expect,
  galata,
  IJupyterLabPageFixture,
  test
} from '@jupyterlab/galata';

/**
 * The server root's store (seed.py, seed_sweep.py): the quickstart's two snapshots, a sweep
 * of 10,000 snapshots of sweep.ipynb (params lr, depth, optimizer; metrics acc, f1 and a
 * logged loss series) and two snapshots of drift.ipynb whose data/train.csv differ.
 */
const DASHBOARD_ID = 'jp-mlver-dashboard';
const PANEL_ID = 'jp-mlver-panel';
const SHOTS = path.join(__dirname, '..', 'test-results');
const TOTAL = 10004;

test.use({ autoGoto: true });

async function openDashboard(page: IJupyterLabPageFixture) {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('mlver:open-dashboard');
  });
  const dashboard = page.locator(`#${DASHBOARD_ID}`);
  await expect(dashboard).toBeVisible();
  await expect(dashboard.locator('#jp-mlver-dash-count')).toHaveText(
    `${TOTAL} of ${TOTAL} snapshot(s)`,
    { timeout: 60000 }
  );
  return dashboard;
}

function header(
  dashboard: ReturnType<IJupyterLabPageFixture['locator']>,
  key: string
) {
  return dashboard.locator(`.jp-mlver-dash-head [data-column="${key}"]`);
}

/** The text of one column in the rendered rows, top to bottom. */
async function columnTexts(
  dashboard: ReturnType<IJupyterLabPageFixture['locator']>,
  key: string,
  count = 5
): Promise<string[]> {
  const index = await dashboard
    .locator('.jp-mlver-dash-head [role="columnheader"]')
    .evaluateAll(
      (cells, k) => cells.findIndex(c => c.getAttribute('data-column') === k),
      key
    );
  return dashboard.locator('.jp-mlver-dash-row').evaluateAll(
    (rows, [i, n]) =>
      rows
        .sort(
          (a, b) =>
            Number(a.getAttribute('data-index')) -
            Number(b.getAttribute('data-index'))
        )
        .slice(0, n as number)
        .map(
          r =>
            r.querySelectorAll('[role="gridcell"]')[i as number]?.textContent ??
            ''
        ),
    [index, count]
  );
}

test.describe('Experiments dashboard', () => {
  test('opens from the palette and from the side panel', async ({ page }) => {
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute(
        'apputils:activate-command-palette'
      );
    });
    await page.keyboard.type('Experiments Dashboard');
    await expect(
      page.locator('.lm-CommandPalette-item', {
        hasText: 'Open the Experiments Dashboard'
      })
    ).toHaveCount(1);
    await page.keyboard.press('Escape');

    await page.sidebar.getTabLocator(PANEL_ID).click();
    await page.locator('#jp-mlver-open-dashboard').click();
    const dashboard = page.locator(`#${DASHBOARD_ID}`);
    await expect(dashboard).toBeVisible();
    // A main-area tab, not a sidebar.
    await expect(
      page.locator('.jp-MainAreaWidget#' + DASHBOARD_ID)
    ).toHaveCount(1);
  });

  test('a windowed table of 10,000 snapshots, sorted by a metric', async ({
    page
  }) => {
    const dashboard = await openDashboard(page);
    const table = dashboard.locator('#jp-mlver-dash-table');
    await expect(table).toHaveAttribute('aria-rowcount', String(TOTAL));
    // Windowed: only the rows in view are in the DOM.
    const rendered = await dashboard.locator('.jp-mlver-dash-row').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);
    // Params and metrics are columns.
    for (const key of [
      'param:lr',
      'param:depth',
      'metric:acc',
      'metric:loss'
    ]) {
      await expect(header(dashboard, key)).toHaveCount(1);
    }

    const acc = header(dashboard, 'metric:acc');
    await acc.click(); // metrics sort best-first: descending
    await expect(acc).toHaveAttribute('aria-sort', 'descending');
    const down = (await columnTexts(dashboard, 'metric:acc')).map(Number);
    expect(down.length).toBe(5);
    expect([...down].sort((a, b) => b - a)).toEqual(down);
    await page.screenshot({
      path: path.join(SHOTS, 'mlver-dashboard-sorted.png')
    });

    await acc.click();
    await expect(acc).toHaveAttribute('aria-sort', 'ascending');
    const up = (await columnTexts(dashboard, 'metric:acc')).map(Number);
    expect([...up].sort((a, b) => a - b)).toEqual(up);
    expect(up[0]).toBeLessThan(down[0]);

    // Scrolling to the end renders the last rows.
    await table.evaluate(node => (node.scrollTop = node.scrollHeight));
    await expect(
      dashboard.locator(`.jp-mlver-dash-row[data-index="${TOTAL - 1}"]`)
    ).toHaveCount(1);
  });

  test('filters rows and charts a metric across them', async ({ page }) => {
    const dashboard = await openDashboard(page);
    await dashboard.locator('#jp-mlver-dash-filter').fill('depth=9');
    await expect(dashboard.locator('#jp-mlver-dash-count')).toHaveText(
      `1250 of ${TOTAL} snapshot(s)`
    );
    await dashboard.locator('#jp-mlver-dash-tab-metric').click();
    await dashboard.locator('#jp-mlver-dash-metric').selectOption('acc');
    const chart = dashboard.locator('#jp-mlver-dash-chart');
    await expect(chart).toHaveAttribute('data-points', '1250');
    await expect(chart.locator('canvas, svg.marks').first()).toBeVisible({
      timeout: 30000
    });
    await page.screenshot({
      path: path.join(SHOTS, 'mlver-dashboard-metric.png')
    });

    await dashboard.locator('#jp-mlver-dash-tab-parallel').click();
    await expect(chart.locator('canvas, svg.marks').first()).toBeVisible({
      timeout: 30000
    });
    await page.screenshot({
      path: path.join(SHOTS, 'mlver-dashboard-parallel.png')
    });
  });

  test('charts the logged series of picked snapshots', async ({ page }) => {
    const dashboard = await openDashboard(page);
    await dashboard.locator('#jp-mlver-dash-filter').fill('sweep');
    const rows = dashboard.locator('.jp-mlver-dash-row');
    await rows.nth(0).locator('input[type="checkbox"]').check();
    await rows.nth(1).locator('input[type="checkbox"]').check();
    await dashboard.locator('#jp-mlver-dash-tab-series').click();
    await expect(dashboard.locator('#jp-mlver-dash-metric')).toHaveValue(
      'loss'
    );
    const chart = dashboard.locator('#jp-mlver-dash-chart');
    await expect(chart).toHaveAttribute('data-points', '40', {
      timeout: 30000
    });
    await expect(chart.locator('canvas, svg.marks').first()).toBeVisible({
      timeout: 30000
    });
    await page.screenshot({
      path: path.join(SHOTS, 'mlver-dashboard-series.png')
    });
  });

  test('compares two picked snapshots in a wide tab, with data drift', async ({
    page
  }) => {
    const dashboard = await openDashboard(page);
    await dashboard.locator('#jp-mlver-dash-filter').fill('drift:');
    const rows = dashboard.locator('.jp-mlver-dash-row');
    await expect(rows).toHaveCount(2);
    await rows.nth(0).locator('input[type="checkbox"]').check();
    await rows.nth(1).locator('input[type="checkbox"]').check();
    await dashboard.locator('#jp-mlver-dash-compare').click();

    const tab = page.locator('.jp-mlver-compare-tab');
    await expect(tab).toBeVisible();
    const compare = tab.locator('#jp-mlver-compare');
    // older on the left
    await expect(compare.locator('.jp-mlver-compare-sides')).toContainText(
      'drift: train v1'
    );
    const drift = compare.locator('#jp-mlver-drift');
    await expect(drift).toBeVisible({ timeout: 30000 });
    const file = drift.locator(
      '.jp-mlver-drift-file[data-path="data/train.csv"]'
    );
    await expect(file).toHaveAttribute('data-drifted', 'true');
    await expect(
      file.locator('[data-column="alcohol"] svg.jp-mlver-histogram')
    ).toBeVisible();
    // The side panel keeps its list.
    await expect(page.locator(`#${PANEL_ID} #jp-mlver-compare`)).toHaveCount(0);
    await drift.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'mlver-compare-tab.png') });
  });
});

test.describe('Experiments dashboard beside the side panel', () => {
  test('keeps the id and metric columns in view, however far the table scrolls', async ({
    page
  }) => {
    await page.sidebar.getTabLocator(PANEL_ID).click();
    await page.sidebar.setWidth(250);
    const dashboard = await openDashboard(page);
    await expect(page.locator(`#${PANEL_ID}`)).toBeVisible();
    const table = dashboard.locator('#jp-mlver-dash-table');
    const inView = async (key: string) => {
      const box = (await table.boundingBox())!;
      const cell = (await header(dashboard, key).boundingBox())!;
      return (
        cell.x >= box.x - 1 && cell.x + cell.width <= box.x + box.width + 1
      );
    };
    for (const key of ['id', 'metric:acc', 'metric:f1']) {
      expect(await inView(key), key).toBe(true);
    }
    await table.evaluate(node => (node.scrollLeft = node.scrollWidth));
    await expect
      .poll(() => table.evaluate(node => node.scrollLeft))
      .toBeGreaterThan(0);
    for (const key of ['id', 'metric:acc', 'metric:f1']) {
      expect(await inView(key), `${key} after scrolling`).toBe(true);
    }
    // The other columns scrolled under the pinned ones; the last is in view.
    const last = await dashboard
      .locator('.jp-mlver-dash-head [role="columnheader"]')
      .last()
      .getAttribute('data-column');
    expect(last).toMatch(/^param:/);
    expect(await inView(last!)).toBe(true);
    await page.screenshot({
      path: path.join(SHOTS, 'mlver-dashboard-pinned.png')
    });
  });

  test('charts a metric by run order, or by time', async ({ page }) => {
    const dashboard = await openDashboard(page);
    await dashboard.locator('#jp-mlver-dash-filter').fill('sweep');
    await dashboard.locator('#jp-mlver-dash-tab-metric').click();
    const chart = dashboard.locator('#jp-mlver-dash-chart');
    await expect(chart).toHaveAttribute('data-x', 'run');
    await expect(chart.locator('canvas, svg.marks').first()).toBeVisible({
      timeout: 30000
    });
    await dashboard.locator('#jp-mlver-dash-xaxis').selectOption('time');
    await expect(chart).toHaveAttribute('data-x', 'created');
    await expect(chart.locator('canvas, svg.marks').first()).toBeVisible({
      timeout: 30000
    });
    await page.screenshot({
      path: path.join(SHOTS, 'mlver-dashboard-by-time.png')
    });
  });

  test('compares three picked runs side by side', async ({ page }) => {
    const dashboard = await openDashboard(page);
    await dashboard.locator('#jp-mlver-dash-filter').fill('sweep');
    const rows = dashboard.locator('.jp-mlver-dash-row');
    for (const i of [0, 1, 2]) {
      await rows.nth(i).locator('input[type="checkbox"]').check();
    }
    const button = dashboard.locator('#jp-mlver-dash-compare');
    await expect(button).toHaveText('Compare (3)');
    await button.click();
    const runs = page.locator('#jp-mlver-compare-runs');
    await expect(runs).toBeVisible();
    await expect(runs.locator('thead th[data-id]')).toHaveCount(3);
    await expect(runs.locator('tr[data-key="metric:acc"] td')).toHaveCount(3);
    // Two neighbours open as a full comparison.
    await runs.locator('.jp-mlver-compare-pair').first().click();
    await expect(
      page.locator('.jp-mlver-compare-tab #jp-mlver-compare')
    ).toBeVisible();
    await page.screenshot({
      path: path.join(SHOTS, 'mlver-dashboard-compare-runs.png')
    });
  });
});

test.describe('the sidebar compare view', () => {
  test('fits the sidebar: nothing overflows sideways', async ({ page }) => {
    await page.sidebar.getTabLocator(PANEL_ID).click();
    const panel = page.locator(`#${PANEL_ID}`);
    await expect(panel.locator('.jp-mlver-row-message').first()).toBeVisible();
    await panel.locator('#jp-mlver-filter').fill('drift:');
    const checks = panel.locator('.jp-mlver-row .jp-mlver-compare-check');
    await expect(checks).toHaveCount(2);
    await checks.nth(0).check();
    await checks.nth(1).check();
    await panel.locator('#jp-mlver-compare-button').click();
    const compare = panel.locator('#jp-mlver-compare');
    await expect(compare.locator('#jp-mlver-drift')).toBeVisible({
      timeout: 30000
    });
    await compare.getByLabel('unchanged too').check();
    const sizes = await compare.evaluate(node => ({
      scroll: node.scrollWidth,
      client: node.clientWidth,
      widest: Math.max(
        ...Array.from(node.querySelectorAll('*')).map(
          e => e.getBoundingClientRect().right
        )
      ),
      right: node.getBoundingClientRect().right
    }));
    expect(sizes.scroll).toBeLessThanOrEqual(sizes.client + 1);
    expect(sizes.widest).toBeLessThanOrEqual(sizes.right + 1);
    await page.screenshot({
      path: path.join(SHOTS, 'mlver-sidebar-compare.png')
    });
  });
});

test.describe('dashboard in the dark theme', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      '@jupyterlab/apputils-extension:themes': { theme: 'JupyterLab Dark' }
    }
  });

  test('follows the theme', async ({ page }) => {
    const dashboard = await openDashboard(page);
    await dashboard.locator('#jp-mlver-dash-tab-metric').click();
    await expect(
      dashboard
        .locator('#jp-mlver-dash-chart')
        .locator('canvas, svg.marks')
        .first()
    ).toBeVisible({ timeout: 30000 });
    const colors = await dashboard.locator('.jp-mlver-dash').evaluate(node => {
      const style = getComputedStyle(node);
      return { bg: style.backgroundColor, fg: style.color };
    });
    const lum = (c: string) =>
      c
        .match(/\d+/g)!
        .slice(0, 3)
        .map(Number)
        .reduce((a, b) => a + b, 0);
    expect(lum(colors.bg)).toBeLessThan(lum(colors.fg));
    await page.screenshot({
      path: path.join(SHOTS, 'mlver-dashboard-dark.png')
    });
  });
});
