import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { CompareView } from '../widgets/compare/view';

/**
 * Two snapshots compared in a wide main-area tab (the side panel keeps its list).
 */
export class CompareTab extends MainAreaWidget<ReactWidget> {
  constructor(options: { a: string; b: string; open: (id: string) => void }) {
    const content = ReactWidget.create(
      <WideCompare a={options.a} b={options.b} open={options.open} />
    );
    content.addClass('jp-mlver-compare-tab-content');
    super({ content });
    this.id = `jp-mlver-compare-tab-${options.a.slice(0, 12)}-${options.b.slice(0, 12)}`;
    this.addClass('jp-mlver-compare-tab');
    this.title.label = `Compare ${options.a.slice(0, 7)} ↔ ${options.b.slice(0, 7)}`;
    this.title.closable = true;
  }
}

function WideCompare(props: {
  a: string;
  b: string;
  open: (id: string) => void;
}): JSX.Element {
  const [[a, b], setSides] = React.useState([props.a, props.b]);
  return (
    <CompareView
      a={a}
      b={b}
      actions={{ swap: (x, y) => setSides([x, y]), open: props.open }}
    />
  );
}
