import * as React from 'react';

import { IEnvironmentRecord } from '../../api';
import { humanBytes } from '../format';
import { Cell, Section } from '../section';
import { TextInput } from '../input';

/** The environment a snapshot ran in: its system, then its packages. */
export function SystemSections(props: {
  environment: IEnvironmentRecord;
}): JSX.Element {
  const { python, platform, hardware, fingerprint, packages } =
    props.environment;
  return (
    <>
      <Section title="System">
        <dl className="jp-mlver-facts">
          <dt>python</dt>
          <dd>
            {python.implementation} {python.version}
          </dd>
          <dt>platform</dt>
          <dd>
            {platform.system} {platform.release} {platform.machine}
            {platform.os_release ? ` (${platform.os_release})` : ''}
          </dd>
          <dt>cpu</dt>
          <dd title={hardware.cpu}>
            {hardware.cpu} · {hardware.cores} cores ·{' '}
            {humanBytes(hardware.memory_bytes)}
          </dd>
          {hardware.gpus.map((g, i) => (
            <React.Fragment key={i}>
              <dt>gpu</dt>
              <dd>{g.name}</dd>
            </React.Fragment>
          ))}
          <dt>fingerprint</dt>
          <dd>
            <code title={fingerprint}>{fingerprint.slice(0, 12)}</code>
          </dd>
        </dl>
      </Section>
      <Packages packages={packages} />
    </>
  );
}

function Packages(props: {
  packages: IEnvironmentRecord['packages'];
}): JSX.Element {
  const [filter, setFilter] = React.useState('');
  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? props.packages.filter(p => p.name.toLowerCase().includes(needle))
    : props.packages;
  return (
    <Section title={`Packages (${props.packages.length})`}>
      <TextInput
        className="jp-mlver-package-filter"
        type="search"
        placeholder="Filter packages"
        label="Filter packages"
        value={filter}
        onChange={setFilter}
      />
      <table className="jp-mlver-table jp-mlver-packages">
        <tbody>
          {shown.map(p => (
            <tr key={p.name}>
              <Cell header text={p.name} />
              <Cell text={p.version} />
              <Cell
                className="jp-mlver-muted"
                text={p.source && p.source !== 'index' ? p.source : ''}
              />
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
