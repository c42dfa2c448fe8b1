import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { WidgetTracker } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { MlverModel } from '../model';
import { CommandIDs, PANEL_ID } from '../tokens';
import { IExperiment } from '../api';
import { CompareTab } from './compare';
import { CompareRunsTab } from './runstab';
import { GovernanceModel } from './governance/model';
import { ExperimentsModel } from './model';
import { Dashboard, DASHBOARD_ID, DashboardTab } from './widget';

/**
 * The dashboard's commands (open it; compare two snapshots in a main-area tab), kept
 * apart from the side panel's plugin code.
 */
export function registerDashboard(
  app: JupyterFrontEnd,
  options: {
    model: MlverModel;
    rendermime: IRenderMimeRegistry | null;
    restorer: ILayoutRestorer | null;
  }
): void {
  const { model, rendermime, restorer } = options;
  const experiments = new ExperimentsModel({ notebook: model.notebook });
  const governance = new GovernanceModel({ notebook: model.notebook });
  model.changed.connect(() => {
    experiments.notebook = model.notebook;
    governance.notebook = model.notebook;
  });
  const dashboards = new WidgetTracker<Dashboard>({
    namespace: 'jupyter_mlver-dashboard'
  });

  const openInPanel = (id: string): void => {
    model.selected = id;
    app.shell.activateById(PANEL_ID);
  };
  const openModelInPanel = (name: string): void => {
    model.modelName = name;
    app.shell.activateById(PANEL_ID);
  };

  const openRuns = (runs: IExperiment[]): void => {
    // One N-run tab at a time: a new choice replaces the last.
    Array.from(app.shell.widgets('main'))
      .find(w => w.id === 'jp-mlver-compare-runs-tab')
      ?.dispose();
    const tab = new CompareRunsTab({
      runs,
      open: openInPanel,
      compare: (a, b) => void app.commands.execute(CommandIDs.compare, { a, b })
    });
    app.shell.add(tab, 'main');
    app.shell.activateById(tab.id);
  };

  app.commands.addCommand(CommandIDs.compare, {
    label: 'Compare Two Snapshots (ML Versions)',
    execute: args => {
      const a = String(args['a'] ?? '');
      const b = String(args['b'] ?? '');
      if (!a || !b) {
        return;
      }
      const tab = new CompareTab({ a, b, open: openInPanel });
      const existing = Array.from(app.shell.widgets('main')).find(
        w => w.id === tab.id
      );
      if (existing) {
        tab.dispose();
        app.shell.activateById(existing.id);
        return;
      }
      app.shell.add(tab, 'main');
      app.shell.activateById(tab.id);
    }
  });

  app.commands.addCommand(CommandIDs.openDashboard, {
    label: args =>
      args['tab'] === 'models'
        ? 'Open the Model Health Dashboard (ML Versions)'
        : 'Open the Experiments Dashboard (ML Versions)',
    execute: args => {
      let dashboard = dashboards.currentWidget;
      if (!dashboard || dashboard.isDisposed) {
        dashboard = new Dashboard({
          model: experiments,
          governance,
          rendermime,
          actions: {
            compare: (a, b) =>
              void app.commands.execute(CommandIDs.compare, { a, b }),
            compareRuns: runs => openRuns(runs),
            open: openInPanel,
            openModel: openModelInPanel
          }
        });
        void dashboards.add(dashboard);
        app.shell.add(dashboard, 'main');
      }
      const asked = args['tab'];
      const tab: DashboardTab =
        asked === 'models' || asked === 'experiments' ? asked : dashboard.tab;
      if (tab === 'experiments') {
        void experiments.refresh();
      }
      dashboard.tab = tab; // showing Models judges the models again
      app.shell.activateById(DASHBOARD_ID);
    }
  });

  if (restorer) {
    void restorer.restore(dashboards, {
      command: CommandIDs.openDashboard,
      name: () => DASHBOARD_ID
    });
  }
  // The side panel polls the store: when its count changes (a snapshot was taken),
  // an open dashboard reloads too; when any record was indexed (a version registered,
  // an alias moved, a deployment changed), an open Models tab judges again.
  let seen = model.total;
  let generation = model.generation;
  model.changed.connect(() => {
    const open = dashboards.currentWidget;
    if (model.total !== seen) {
      seen = model.total;
      if (open && !experiments.loading) {
        void experiments.refresh();
      }
    }
    if (model.generation !== generation) {
      generation = model.generation;
      if (open?.tab === 'models' && !governance.loading) {
        void governance.refresh();
      }
    }
  });
}
