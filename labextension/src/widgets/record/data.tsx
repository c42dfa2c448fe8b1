import * as React from 'react';

import { IDataEntry } from '../../api';
import { TreeFiles } from '../files';
import { humanBytes } from '../format';
import { Cell, HashCell, Section } from '../section';

/**
 * A record's data files; a directory recorded as a tree unfolds to its files, fetched a
 * page at a time.
 */
export function DataSection(props: {
  snapshot: string;
  data: IDataEntry[];
}): JSX.Element {
  const { data } = props;
  const [open, setOpen] = React.useState<string[]>([]);
  const toggle = (path: string): void =>
    setOpen(
      open.includes(path) ? open.filter(p => p !== path) : [...open, path]
    );
  const count = data.reduce((n, d) => n + (d.files ?? 1), 0);
  return (
    <Section title={`Data (${count})`} open={data.length > 0}>
      {data.length === 0 ? (
        <div className="jp-mlver-muted">No data files.</div>
      ) : (
        <table className="jp-mlver-table jp-mlver-data">
          <thead>
            <tr>
              {['path', 'role', 'size', 'hash'].map(name => (
                <Cell key={name} header text={name} />
              ))}
            </tr>
          </thead>
          <tbody>
            {data.map(d => (
              <React.Fragment key={d.path}>
                <tr>
                  <td className="jp-mlver-path" title={`${d.path}\n${d.hash}`}>
                    {d.kind === 'tree' ? (
                      <button
                        className="jp-mlver-link jp-mlver-tree-toggle"
                        aria-expanded={open.includes(d.path)}
                        title="show the files of this directory"
                        onClick={() => toggle(d.path)}
                      >
                        {d.path}/ ({d.files} files)
                      </button>
                    ) : (
                      d.path
                    )}
                  </td>
                  <Cell text={d.role} />
                  <Cell text={humanBytes(d.size)} title={`${d.size} bytes`} />
                  <HashCell hash={d.hash} stored={d.stored} />
                </tr>
                {d.kind === 'tree' && open.includes(d.path) && (
                  <tr>
                    <td colSpan={4}>
                      <TreeFiles snapshot={props.snapshot} entry={d} />
                    </td>
                  </tr>
                )}
              </React.Fragment>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
