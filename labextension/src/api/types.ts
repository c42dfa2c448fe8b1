/**
 * The REST API's types, generated from jupyter_mlver/server/openapi.yaml (and the record
 * schemas it references) into ../generated/openapi.ts by `jlpm generate`.
 */
import type { components, paths } from '../generated/openapi';

type Schemas = components['schemas'];

/** The JSON body of a path's 200 answer. */
type Ok<P extends keyof paths> = paths[P]['get'] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type Scalar = Schemas['Scalar'];
export type Value = Schemas['Value'];

// Records (jupyter_mlver/schemas/*.json)
export type ISnapshotRecord = ISnapshotDetail['record'];
export type IEnvironmentRecord = Schemas['EnvironmentRecord'];
export type IImageRecord = Schemas['ImageRecord'];
export type IModelRecord = Schemas['ModelVersion'];
export type IAliasEvent = Schemas['AliasEvent'];

// Snapshots
export type ISnapshotSummary = Schemas['SnapshotSummary'];
export type ISnapshotPage = Ok<'/snapshots'>;
export type ISnapshotDetail = Schemas['SnapshotDetail'];
export type IDataEntry = ISnapshotRecord['data'][number];
export type IDataFile = Schemas['DataFile'];
export type IFilesPage = Schemas['FilesPage'];
export type ITagAdded = Schemas['TagAdded'];
export type IWarning = Schemas['Warning'];

// Comparison and drift
export type IDiff = Schemas['Diff'];
export type IValueChange = Schemas['ValueChange'];
export type ICellChange = Schemas['CellChange'];
export type IDriftReport = Schemas['DriftReport'];
export type IColumnDrift = Schemas['ColumnDrift'];
export type IHistogram = Schemas['Histogram'];

// The dashboard
export type IExperiment = Schemas['Experiment'];
export type IExperimentsPage = Schemas['ExperimentsPage'];

// Jobs (image builds, notebook runs)
export type IJob = Schemas['Job'];
export type IJobStarted = Schemas['JobStarted'];
export type IRunResult = Schemas['RunResult'];

// The model registry and its governance
export type IModelList = Ok<'/models'>;
export type IModelSummary = Schemas['ModelSummary'];
export type IModelDetail = Schemas['ModelDetail'];
export type IGovernance = Ok<'/governance'>;
export type IModelHealth = Schemas['ModelHealth'];
export type IVersionLive = Schemas['VersionLive'];
export type IDeploymentLive = Schemas['DeploymentLive'];
export type Action = Schemas['Action'];
