/**
 * Server jobs: image builds and notebook runs, started here and polled with `getJob`.
 */
import { requestAPI } from '../request';
import { ref } from './snapshots';
import { IJob, IJobStarted, Scalar } from './types';

export function startImageBuild(options: {
  snapshot: string;
  tag?: string;
  base?: string;
}): Promise<IJobStarted> {
  return requestAPI<IJobStarted>('images', {
    method: 'POST',
    body: JSON.stringify(options)
  });
}

export function startRun(options: {
  notebook: string;
  params: Record<string, Scalar>;
  sweep: Record<string, Scalar[]>;
  jobs: number;
  metric?: string;
}): Promise<IJobStarted> {
  return requestAPI<IJobStarted>('runs', {
    method: 'POST',
    body: JSON.stringify(options)
  });
}

export function getJob(id: string): Promise<IJob> {
  return requestAPI<IJob>(`jobs/${ref(id)}`, {}, { log_lines: 30 });
}

/** Whether a job has ended (it is polled until then). */
export function isFinished(job: IJob): boolean {
  return job.state === 'succeeded' || job.state === 'failed';
}
