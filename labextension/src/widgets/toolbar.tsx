import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { MlverModel } from '../model';
import { IPanelActions } from './panel';
import { Form, IconButton, TextInput } from './input';

/**
 * The panel's first row: a message and the Snapshot button (save the notebook, then
 * `%mlver snapshot` in its kernel), the dashboard and refresh buttons.
 */
export function SnapshotBar(props: {
  model: MlverModel;
  actions: IPanelActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, actions, trans } = props;
  const [message, setMessage] = React.useState('');
  const [busy, setBusy] = React.useState(false);
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
  return (
    <Form
      className="jp-mlver-actions"
      onSubmit={() => {
        if (canSnapshot) {
          void snapshot();
        }
      }}
    >
      <TextInput
        id="jp-mlver-snapshot-message"
        placeholder={
          model.notebook
            ? trans.__('Snapshot message')
            : trans.__('Open a notebook to snapshot it')
        }
        label={trans.__('Snapshot message')}
        value={message}
        disabled={!actions.canSnapshot()}
        onChange={setMessage}
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
        <IconButton
          id="jp-mlver-open-dashboard"
          symbol="▦"
          label={trans.__('Dashboard')}
          title={trans.__('Open the experiments dashboard in the main area')}
          onClick={actions.openDashboard}
        />
      )}
      <IconButton
        id="jp-mlver-refresh"
        symbol="⟳"
        label={trans.__('Refresh')}
        title={trans.__('Refresh the list')}
        onClick={() => void model.refresh()}
      />
    </Form>
  );
}

/** The two sections of the panel: snapshots and models. */
export function SectionTabs(props: {
  model: MlverModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const tabs = [
    ['snapshots', trans.__('Snapshots')],
    ['models', trans.__('Models')]
  ] as const;
  return (
    <div className="jp-mlver-tabs" role="tablist">
      {tabs.map(([section, label]) => (
        <button
          key={section}
          id={`jp-mlver-tab-${section}`}
          role="tab"
          aria-selected={model.section === section}
          className={`jp-mlver-tab${model.section === section ? ' jp-mod-current' : ''}`}
          onClick={() => (model.section = section)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
