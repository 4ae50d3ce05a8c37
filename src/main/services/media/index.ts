// Public surface of the media service (pure modules: no database, no job system).
export * from './ffmpeg';
export * from './probe';
export * from './decode';
export * from './faces';
export * from './align';
export * from './cropStore';
export * from './ingest';
export { CANONICAL_68 } from './template';
