import { ReactWidget, SidePanel, UseSignal } from '@jupyterlab/ui-components';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';
import * as React from 'react';

import { MlverModel } from '../model';
import { CompareView } from './compare/view';
import { ListFilters, ScopeLine, StatusLine } from './filters';
import { SnapshotList } from './list';
import { ModelsSection } from './models/section';
import { RecordView } from './record/view';
import { RunDialog } from './run/dialog';
import { SectionTabs, SnapshotBar } from './toolbar';

/**
 * What the panel asks of the application (the plugin provides it).
 */
export interface IPanelActions {
  /** The current notebook can be snapshotted (it has a kernel). */
  canSnapshot(): boolean;
  /** Save the current notebook and run `%mlver snapshot -m message` in its kernel. */
  snapshot(message: string): Promise<void>;
  /** Open a notebook by its server-relative path. */
  openNotebook(path: string): void;
  /** Open the main-area dashboard. */
  openDashboard?(): void;
}

/**
 * The left-sidebar "ML Versions" panel.
 */
export class MlverPanel extends SidePanel {
  constructor(options: MlverPanel.IOptions) {
    // One view, no accordion: a plain Panel as the content.
    super({ translator: options.translator, content: new Panel() });
    this.model = options.model;
    this.addClass('jp-mlver-Panel');
    const trans = options.translator.load('jupyter_mlver');
    const header = new Widget({ node: document.createElement('h2') });
    header.node.textContent = trans.__('ML Versions');
    header.addClass('jp-mlver-Panel-header');
    this.header.addWidget(header);
    this.toolbar.hide(); // the actions live in the view, next to what they act on
    const body = ReactWidget.create(
      <MlverView model={this.model} actions={options.actions} trans={trans} />
    );
    body.addClass('jp-mlver-Panel-body');
    this.addWidget(body);
  }

  readonly model: MlverModel;

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.model.check().catch(() => undefined);
  }
}

export namespace MlverPanel {
  export interface IOptions {
    model: MlverModel;
    actions: IPanelActions;
    translator: ITranslator;
  }
}

/**
 * The whole panel content, re-rendered whenever the model changes.
 */
export function MlverView(props: {
  model: MlverModel;
  actions: IPanelActions;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <UseSignal signal={props.model.changed}>
      {() => <MlverViewContent {...props} />}
    </UseSignal>
  );
}

function MlverViewContent(props: {
  model: MlverModel;
  actions: IPanelActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, actions, trans } = props;
  const [runOpen, setRunOpen] = React.useState(false);
  const snapshots = model.section === 'snapshots';
  return (
    <div className="jp-mlver-view">
      <SnapshotBar model={model} actions={actions} trans={trans} />
      <button
        id="jp-mlver-run-button"
        className="jp-mlver-button jp-mlver-run-open"
        type="button"
        disabled={!model.notebook}
        aria-expanded={runOpen}
        title={trans.__(
          'Run the saved notebook with parameters, once or over a sweep (jupyter mlver run)'
        )}
        onClick={() => setRunOpen(!runOpen)}
      >
        {trans.__('Run with parameters…')}
      </button>
      {runOpen && model.notebook && (
        <RunDialog
          model={model}
          notebook={model.notebook}
          onClose={() => setRunOpen(false)}
        />
      )}
      <SectionTabs model={model} trans={trans} />
      {snapshots && model.view === 'list' && (
        <ListFilters model={model} trans={trans} />
      )}
      {snapshots && <ScopeLine model={model} trans={trans} />}
      <StatusLine model={model} trans={trans} />
      <div className="jp-mlver-content">
        <PanelContent model={model} onOpenNotebook={actions.openNotebook} />
      </div>
    </div>
  );
}

/** What the panel's content area shows: models, one record, a comparison or the list. */
function PanelContent(props: {
  model: MlverModel;
  onOpenNotebook: (path: string) => void;
}): JSX.Element {
  const { model } = props;
  const [a, b] = model.compare;
  if (model.section !== 'snapshots') {
    return <ModelsSection model={model} />;
  }
  if (model.view === 'record' && model.selected) {
    return (
      <RecordView
        model={model}
        id={model.selected}
        onOpenNotebook={props.onOpenNotebook}
      />
    );
  }
  if (model.view === 'compare' && a && b) {
    return (
      <CompareView
        a={a}
        b={b}
        actions={{
          back: () => (model.view = 'list'),
          swap: (x, y) => model.compareWith(x, y),
          open: id => (model.selected = id)
        }}
      />
    );
  }
  return <SnapshotList model={model} />;
}
