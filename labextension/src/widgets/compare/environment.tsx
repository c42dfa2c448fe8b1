import * as React from 'react';

import { IDiff } from '../../api';
import { Block, Cell } from '../section';

/** Python, platform and package versions that differ. */
export function EnvironmentChanges(props: { diff: IDiff }): JSX.Element | null {
  const { packages, python, platform } = props.diff;
  if (packages.length === 0 && !python && !platform) {
    return null;
  }
  const system = [
    ['python', python],
    ['platform', platform]
  ] as const;
  return (
    <Block title={`Environment (${packages.length} package(s))`}>
      <table className="jp-mlver-table jp-mlver-compare-packages">
        <tbody>
          {system.map(
            ([name, pair]) =>
              pair && (
                <tr key={name} className="jp-mlver-changed">
                  <Cell header text={name} />
                  <Cell text={pair.a} />
                  <Cell text={pair.b} />
                </tr>
              )
          )}
          {packages.map(p => (
            <tr key={p.name} className={`jp-mlver-${p.status}`}>
              <Cell header text={p.name} />
              <Cell text={p.a ?? '—'} />
              <Cell text={`${p.b ?? '—'} (${p.status})`} />
            </tr>
          ))}
        </tbody>
      </table>
    </Block>
  );
}
