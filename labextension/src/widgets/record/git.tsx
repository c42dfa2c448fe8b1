import * as React from 'react';

import { ISnapshotDetail, ISnapshotRecord } from '../../api';
import { humanBytes } from '../format';
import { Section } from '../section';

/** The git state a snapshot was taken in, with its uncommitted diff. */
export function GitSection(props: {
  git: ISnapshotRecord['git'];
  diff: ISnapshotDetail['git_diff'];
}): JSX.Element {
  const { git, diff } = props;
  if (!git) {
    return (
      <Section title="Git">
        <div className="jp-mlver-muted">Not in a git repository.</div>
      </Section>
    );
  }
  return (
    <Section title="Git">
      <dl className="jp-mlver-facts">
        <dt>commit</dt>
        <dd title={git.branch ? `${git.commit} on ${git.branch}` : undefined}>
          <code title={git.commit ?? undefined}>
            {git.commit?.slice(0, 12)}
          </code>
          {git.branch ? ` on ${git.branch}` : ''}
          {git.dirty && (
            <span className="jp-mlver-dirty"> (uncommitted changes)</span>
          )}
        </dd>
        {git.remote && (
          <>
            <dt>remote</dt>
            <dd title={git.remote}>{git.remote}</dd>
          </>
        )}
      </dl>
      {diff && (
        <details className="jp-mlver-diff-text">
          <summary>
            Uncommitted diff ({humanBytes(diff.bytes)}
            {diff.truncated ? ', truncated' : ''})
          </summary>
          <pre>{diff.text}</pre>
        </details>
      )}
    </Section>
  );
}
