/**
 * Building blocks shared by the record, comparison and model views.
 */
import * as React from 'react';

import { Value } from '../api';
import { formatValue } from './format';

/** A folding section of a record (open or closed at first). */
export function Section(props: {
  title: string;
  open?: boolean;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <details className="jp-mlver-section" open={props.open}>
      <summary>{props.title}</summary>
      <div className="jp-mlver-section-body">{props.children}</div>
    </details>
  );
}

/** A titled part of a comparison. */
export function Block(props: {
  title: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <section className="jp-mlver-block">
      <h4>{props.title}</h4>
      {props.children}
    </section>
  );
}

/**
 * A table cell of one line: cut with an ellipsis when it does not fit, the whole text in
 * its tooltip.
 */
export function Cell(props: {
  text: string;
  header?: boolean;
  className?: string;
  title?: string;
}): JSX.Element {
  const Tag = props.header ? 'th' : 'td';
  return (
    <Tag className={props.className} title={props.title ?? props.text}>
      {props.text}
    </Tag>
  );
}

/** name = value rows, sorted by name (a record's params or metrics). */
export function ValueTable(props: {
  values: Record<string, Value>;
  cls: string;
}): JSX.Element {
  const keys = Object.keys(props.values).sort();
  if (keys.length === 0) {
    return <div className="jp-mlver-muted">None.</div>;
  }
  return (
    <table className={`jp-mlver-table ${props.cls}`}>
      <tbody>
        {keys.map(k => (
          <tr key={k} data-key={k}>
            <Cell header text={k} />
            <Cell text={formatValue(props.values[k])} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** An error line (nothing when there is no error). */
export function ErrorLine(props: {
  error: string | null;
  id?: string;
}): JSX.Element | null {
  if (!props.error) {
    return null;
  }
  return (
    <div id={props.id} className="jp-mlver-error" role="alert">
      {props.error}
    </div>
  );
}

/** A content hash, shortened, with "#" when only the hash was kept (not the content). */
export function HashCell(props: {
  hash: string;
  stored: boolean;
}): JSX.Element {
  return (
    <td title={props.hash}>
      <code>{props.hash.slice(0, 10)}</code>
      {!props.stored && (
        <span className="jp-mlver-muted" title="hash only">
          {' '}
          #
        </span>
      )}
    </td>
  );
}
