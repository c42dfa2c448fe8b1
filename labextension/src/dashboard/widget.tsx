import { MainAreaWidget } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { Signal } from '@lumino/signaling';
import * as React from 'react';

import { IExperiment } from '../api';

import { ExperimentsView } from './experiments';
import { GovernanceView } from './governance/view';
import { GovernanceModel } from './governance/model';
import { ExperimentsModel } from './model';

export const DASHBOARD_ID = 'jp-mlver-dashboard';

/** The dashboard's two parts. */
export type DashboardTab = 'experiments' | 'models';

/** What the dashboard asks of the application. */
export interface IDashboardActions {
  /** Open two snapshots side by side in a main-area tab (a older, b newer). */
  compare(a: string, b: string): void;
  /** Show several snapshots' params and metrics side by side in a main-area tab. */
  compareRuns(runs: IExperiment[]): void;
  /** Show one snapshot in the side panel. */
  open(id: string): void;
  /** Show one model in the side panel's models view. */
  openModel(name: string): void;
}

/**
 * The main-area dashboard: Experiments (a sortable, filterable table of snapshots with
 * their params and metrics, and charts of the rows shown) and Models (the governance
 * table: a row per model with its health and a recommendation).
 */
export class Dashboard extends MainAreaWidget<ReactWidget> {
  constructor(options: {
    model: ExperimentsModel;
    governance: GovernanceModel;
    rendermime: IRenderMimeRegistry | null;
    actions: IDashboardActions;
  }) {
    const tabs = new TabState();
    const content = ReactWidget.create(
      <UseSignal signal={tabs.changed}>
        {() => (
          <div className="jp-mlver-dash">
            <DashboardTabs tab={tabs.tab} onChange={tab => (tabs.tab = tab)} />
            {/* Keyed: UseSignal connects once, so each part needs its own instance. */}
            {tabs.tab === 'experiments' ? (
              <UseSignal key="experiments" signal={options.model.changed}>
                {() => (
                  <ExperimentsView
                    model={options.model}
                    rendermime={options.rendermime}
                    actions={options.actions}
                  />
                )}
              </UseSignal>
            ) : (
              <UseSignal key="models" signal={options.governance.changed}>
                {() => (
                  <GovernanceView
                    model={options.governance}
                    onOpenModel={options.actions.openModel}
                  />
                )}
              </UseSignal>
            )}
          </div>
        )}
      </UseSignal>
    );
    content.addClass('jp-mlver-dash-content');
    super({ content });
    this._tabs = tabs;
    this.model = options.model;
    this.governance = options.governance;
    // Showing Models judges the models again; Experiments loads once (opened on Models,
    // it has not yet), then follows the store by itself.
    tabs.changed.connect(() => {
      if (tabs.tab === 'models') {
        void this.governance.refresh();
      } else if (!this.model.loading && this.model.rows.length === 0) {
        void this.model.refresh();
      }
    });
    this.id = DASHBOARD_ID;
    this.addClass('jp-mlver-dash-widget');
    this.title.label = 'ML Dashboard';
    this.title.closable = true;
  }

  readonly model: ExperimentsModel;
  readonly governance: GovernanceModel;

  /** The part shown. */
  get tab(): DashboardTab {
    return this._tabs.tab;
  }
  set tab(value: DashboardTab) {
    this._tabs.tab = value;
  }

  private _tabs: TabState;
}

/** Which part the dashboard shows; `changed` fires when it is set, even to the same. */
class TabState {
  get tab(): DashboardTab {
    return this._tab;
  }
  set tab(value: DashboardTab) {
    this._tab = value;
    this.changed.emit();
  }

  readonly changed = new Signal<TabState, void>(this);
  private _tab: DashboardTab = 'experiments';
}

function DashboardTabs(props: {
  tab: DashboardTab;
  onChange: (tab: DashboardTab) => void;
}): JSX.Element {
  const tabs: [DashboardTab, string][] = [
    ['experiments', 'Experiments'],
    ['models', 'Models']
  ];
  return (
    <div className="jp-mlver-tabs jp-mlver-dash-tabs" role="tablist">
      {tabs.map(([id, label]) => (
        <button
          key={id}
          id={`jp-mlver-dash-section-${id}`}
          role="tab"
          aria-selected={props.tab === id}
          className={`jp-mlver-tab${props.tab === id ? ' jp-mod-current' : ''}`}
          onClick={() => props.onChange(id)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
