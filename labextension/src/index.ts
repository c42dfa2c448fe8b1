import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { mlverIcon } from './icons';
import { MlverPanel } from './widgets/panel';

/**
 * Ids shared with the Python side and the browser tests.
 */
export const PLUGIN_ID = 'jupyter_mlver:plugin';
export const PANEL_ID = 'jp-mlver-panel';

export namespace CommandIDs {
  export const openPanel = 'mlver:open-panel';
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'A left-sidebar panel to list, inspect and compare ML snapshots.',
  autoStart: true,
  optional: [ILayoutRestorer, ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyter_mlver');
    const label = trans.__('ML Versions');

    const panel = new MlverPanel(label);
    panel.id = PANEL_ID;
    panel.title.icon = mlverIcon;
    panel.title.caption = label;
    app.shell.add(panel, 'left', { rank: 600 });

    if (restorer) {
      restorer.add(panel, PANEL_ID);
    }

    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Open ML Versions Panel'),
      caption: label,
      icon: args => (args['isPalette'] ? undefined : mlverIcon),
      execute: () => {
        app.shell.activateById(PANEL_ID);
      }
    });

    if (palette) {
      palette.addItem({
        command: CommandIDs.openPanel,
        category: trans.__('ML Versions')
      });
    }
  }
};

export default plugin;
