/**
 * Typed calls of the jupyter_mlver REST API (jupyter_mlver/server/openapi.yaml).
 */
export * from './types';
export * from './snapshots';
export * from './models';
export * from './jobs';
