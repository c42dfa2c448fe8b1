import { ReactWidget, SidePanel, UseSignal } from '@jupyterlab/ui-components';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';
import * as React from 'react';

import { MlverModel } from '../model';
import { CompareView } from './compare';
import { SnapshotList } from './list';
import { ModelsSection } from './models';
import { RecordView } from './record';
import { RunDialog } from './run';

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
  const [message, setMessage] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const [runOpen, setRunOpen] = React.useState(false);
  const canSnapshot = actions.canSnapshot() && !busy;

  const snapshot = async (): Promise<void> => {
    setBusy(true);
    try {
      await actions.snapshot(message);
      setMessage('');
    } finally {
      setBusy(false);
    }
  };

  const notebookName = model.notebook?.split('/').pop() ?? '';
  const [a, b] = model.compare;
  const snapshots = model.section === 'snapshots';
  let content: JSX.Element;
  if (!snapshots) {
    content = <ModelsSection model={model} />;
  } else if (model.view === 'record' && model.selected) {
    content = (
      <RecordView
        model={model}
        id={model.selected}
        onOpenNotebook={actions.openNotebook}
      />
    );
  } else if (model.view === 'compare' && a && b) {
    content = (
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
  } else {
    content = <SnapshotList model={model} />;
  }

  return (
    <div className="jp-mlver-view">
      <form
        className="jp-mlver-actions"
        onSubmit={e => {
          e.preventDefault();
          if (canSnapshot) {
            void snapshot();
          }
        }}
      >
        <input
          id="jp-mlver-snapshot-message"
          className="jp-mlver-input"
          placeholder={
            model.notebook
              ? trans.__('Snapshot message')
              : trans.__('Open a notebook to snapshot it')
          }
          aria-label={trans.__('Snapshot message')}
          value={message}
          disabled={!actions.canSnapshot()}
          onChange={e => setMessage(e.target.value)}
        />
        <button
          id="jp-mlver-snapshot-button"
          className="jp-mlver-button jp-mod-accept"
          type="submit"
          disabled={!canSnapshot}
          title={trans.__(
            'Save the notebook and record a snapshot of it (%mlver snapshot)'
          )}
        >
          {busy ? trans.__('Snapshotting…') : trans.__('Snapshot')}
        </button>
        {actions.openDashboard && (
          <button
            id="jp-mlver-open-dashboard"
            className="jp-mlver-button"
            type="button"
            title={trans.__('Open the experiments dashboard in the main area')}
            aria-label={trans.__('Dashboard')}
            onClick={actions.openDashboard}
          >
            ▦
          </button>
        )}
        <button
          id="jp-mlver-refresh"
          className="jp-mlver-button"
          type="button"
          title={trans.__('Refresh the list')}
          aria-label={trans.__('Refresh')}
          onClick={() => void model.refresh()}
        >
          ⟳
        </button>
      </form>
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
      <div className="jp-mlver-tabs" role="tablist">
        <button
          id="jp-mlver-tab-snapshots"
          role="tab"
          aria-selected={snapshots}
          className={`jp-mlver-tab${snapshots ? ' jp-mod-current' : ''}`}
          onClick={() => (model.section = 'snapshots')}
        >
          {trans.__('Snapshots')}
        </button>
        <button
          id="jp-mlver-tab-models"
          role="tab"
          aria-selected={!snapshots}
          className={`jp-mlver-tab${snapshots ? '' : ' jp-mod-current'}`}
          onClick={() => (model.section = 'models')}
        >
          {trans.__('Models')}
        </button>
      </div>
      {snapshots && model.view === 'list' && (
        <div className="jp-mlver-filters">
          <input
            id="jp-mlver-filter"
            className="jp-mlver-input"
            type="search"
            placeholder={trans.__('Filter: message, tag, param, id')}
            aria-label={trans.__('Filter snapshots')}
            value={model.query}
            onChange={e => (model.query = e.target.value)}
          />
          <input
            id="jp-mlver-tag-filter"
            className="jp-mlver-input jp-mlver-tag-filter"
            placeholder={trans.__('tag')}
            aria-label={trans.__('Only the snapshot with this tag')}
            value={model.tag}
            onChange={e => (model.tag = e.target.value)}
          />
          <div className="jp-mlver-filters-row">
            <label className="jp-mlver-checkbox">
              <input
                id="jp-mlver-all"
                type="checkbox"
                checked={model.showAll || !model.notebook}
                disabled={!model.notebook}
                onChange={e => (model.showAll = e.target.checked)}
              />
              {trans.__('all notebooks')}
            </label>
            <button
              id="jp-mlver-compare-button"
              className="jp-mlver-button"
              type="button"
              disabled={model.compare.length !== 2}
              title={trans.__('Tick two snapshots to compare them')}
              onClick={() => {
                const [x, y] = model.compare;
                const sx = model.summary(x);
                const sy = model.summary(y);
                // older on the left
                if (sx && sy && sx.created > sy.created) {
                  model.compareWith(y, x);
                } else {
                  model.compareWith(x, y);
                }
              }}
            >
              {trans.__('Compare')} ({model.compare.length}/2)
            </button>
          </div>
        </div>
      )}
      {snapshots && (
        <div id="jp-mlver-scope" className="jp-mlver-scope">
          {model.scoped
            ? trans.__('%1 snapshot(s) of %2', model.total, notebookName)
            : trans.__('%1 snapshot(s) in the store', model.total)}
        </div>
      )}
      {model.status && (
        <div
          id="jp-mlver-status"
          className={`jp-mlver-status jp-mod-${model.status.kind}`}
          role={model.status.kind === 'error' ? 'alert' : 'status'}
        >
          <span>{model.status.text}</span>
          <button
            className="jp-mlver-link"
            aria-label={trans.__('Dismiss')}
            onClick={() => (model.status = null)}
          >
            ✕
          </button>
        </div>
      )}
      <div className="jp-mlver-content">{content}</div>
    </div>
  );
}
