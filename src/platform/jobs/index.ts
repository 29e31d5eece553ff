export type { JobContext, JobHandler, JobKind, JobRecord, JobRunner, JobState, SubmitOptions } from './types';
export { createInProcessJobRunner, type InProcessRunnerOptions } from './in-process-runner';
