import * as React from 'react';

import { IDiff } from '../../api';
import { Block, Cell } from '../section';

type GitSide = IDiff['git']['a'];

function sideText(side: GitSide): string {
  if (!side) {
    return '—';
  }
  return (
    (side.commit?.slice(0, 10) ?? '?') +
    (side.branch ? ` (${side.branch})` : '') +
    (side.dirty ? ' +dirty' : '')
  );
}

/** The commits of both sides, and the commits between them. */
export function GitChanges(props: { git: IDiff['git'] }): JSX.Element | null {
  const { git } = props;
  if (!git.a && !git.b) {
    return null;
  }
  return (
    <Block title="Git">
      <table className="jp-mlver-table jp-mlver-compare-git">
        <tbody>
          <tr className={git.same_commit ? '' : 'jp-mlver-changed'}>
            <th>commit</th>
            <Cell text={sideText(git.a)} />
            <Cell text={sideText(git.b)} />
          </tr>
        </tbody>
      </table>
      {git.commits.length > 0 && (
        <ul className="jp-mlver-commits">
          {git.commits.map(c => (
            <li key={c.sha}>
              <code>{c.sha.slice(0, 10)}</code> {c.summary}
            </li>
          ))}
          {git.commits_omitted ? (
            <li className="jp-mlver-muted">… and {git.commits_omitted} more</li>
          ) : null}
        </ul>
      )}
    </Block>
  );
}
