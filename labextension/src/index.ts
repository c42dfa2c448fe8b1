import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { mlverIcon } from './icons';
import {
  pushBeforeSnapshotCells,
  registerNotebookComm,
  snapshotNotebook
} from './kernel';
import { registerDashboard } from './dashboard/plugin';
import { MlverModel } from './model';
import { CommandIDs, IMlverModel, PANEL_ID, PLUGIN_ID } from './tokens';
import { MlverPanel } from './widgets/panel';

export { IMlverModel, PANEL_ID, PLUGIN_ID, CommandIDs } from './tokens';

const plugin: JupyterFrontEndPlugin<IMlverModel> = {
  id: PLUGIN_ID,
  description:
    'A left-sidebar panel to list, inspect and compare ML snapshots, and take them.',
  autoStart: true,
  provides: IMlverModel,
  optional: [
    INotebookTracker,
    ILayoutRestorer,
    ICommandPalette,
    ITranslator,
    IRenderMimeRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    rendermime: IRenderMimeRegistry | null
  ): IMlverModel => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyter_mlver');
    const label = trans.__('ML Versions');

    let panel: MlverPanel | null = null;
    const model = new MlverModel({
      isActive: () => panel !== null && panel.isVisible
    });

    const currentNotebook = (): NotebookPanel | null =>
      tracker?.currentWidget ?? null;

    const snapshot = async (message: string): Promise<void> => {
      const notebook = currentNotebook();
      if (!notebook) {
        model.status = {
          kind: 'error',
          text: trans.__('No notebook is open.')
        };
        return;
      }
      model.status = {
        kind: 'busy',
        text: trans.__('Snapshotting %1…', notebook.context.path)
      };
      try {
        const outcome = await snapshotNotebook(notebook, message);
        model.status = outcome.ok
          ? {
              kind: 'info',
              text: outcome.text.split('\n')[0] || trans.__('Snapshot taken.')
            }
          : { kind: 'error', text: outcome.text };
      } catch (error) {
        model.status = { kind: 'error', text: String(error) };
      }
      await model.refresh();
    };

    panel = new MlverPanel({
      model,
      translator,
      actions: {
        canSnapshot: () => !!currentNotebook()?.sessionContext.session?.kernel,
        snapshot,
        openNotebook: path =>
          void app.commands.execute('docmanager:open', { path }),
        openDashboard: () => void app.commands.execute(CommandIDs.openDashboard)
      }
    });
    panel.id = PANEL_ID;
    panel.title.icon = mlverIcon;
    panel.title.caption = label;
    app.shell.add(panel, 'left', { rank: 600 });
    if (restorer) {
      restorer.add(panel, PANEL_ID);
    }

    if (tracker) {
      const follow = (): void => {
        model.notebook = tracker.currentWidget?.context.path ?? null;
      };
      tracker.currentChanged.connect(follow);
      // A renamed notebook or a kernel started later changes what the panel can do.
      tracker.widgetAdded.connect((_, nb) => {
        nb.context.pathChanged.connect(follow);
        nb.sessionContext.kernelChanged.connect(() => model.notify());
        nb.sessionContext.statusChanged.connect(() => model.notify());
      });
      follow();
      registerNotebookComm(tracker);
      pushBeforeSnapshotCells(tracker);
    }

    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Open ML Versions Panel'),
      caption: label,
      icon: args => (args['isPalette'] ? undefined : mlverIcon),
      execute: () => {
        app.shell.activateById(PANEL_ID);
      }
    });
    app.commands.addCommand(CommandIDs.snapshot, {
      label: trans.__('Snapshot the Current Notebook (ML Versions)'),
      isEnabled: () => !!currentNotebook()?.sessionContext.session?.kernel,
      execute: async args => {
        await snapshot(String(args['message'] ?? ''));
      }
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh ML Versions'),
      execute: () => model.refresh()
    });

    registerDashboard(app, { model, rendermime, restorer });

    if (palette) {
      const category = trans.__('ML Versions');
      for (const command of [
        CommandIDs.openPanel,
        CommandIDs.openDashboard,
        CommandIDs.snapshot,
        CommandIDs.refresh
      ]) {
        palette.addItem({ command, category });
      }
      palette.addItem({
        command: CommandIDs.openDashboard,
        category,
        args: { tab: 'models' }
      });
    }
    return model;
  }
};

export default plugin;
