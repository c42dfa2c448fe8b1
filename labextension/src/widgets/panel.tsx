import * as React from 'react';

import { ReactWidget } from '@jupyterlab/ui-components';

/**
 * Placeholder content of the ML Versions panel.
 *
 * The real panel (snapshot list, record view, comparison, actions) replaces this.
 */
export function MlverPanelContent(props: { title: string }): JSX.Element {
  return (
    <div className="jp-mlver-Panel-content">
      <h2 className="jp-mlver-Panel-header">{props.title}</h2>
    </div>
  );
}

/**
 * The Lumino widget that hosts the panel in the left sidebar.
 */
export class MlverPanel extends ReactWidget {
  constructor(private readonly _title: string) {
    super();
    this.addClass('jp-mlver-Panel');
  }

  protected render(): JSX.Element {
    return <MlverPanelContent title={this._title} />;
  }
}
