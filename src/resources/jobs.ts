/**
 * Jobs: NAME COMPLETIONS DURATION AGE, wide CONTAINERS IMAGES SELECTOR.
 * DURATION of a running job is measured at `now`, the time of projection.
 */
import { AGE, NAME, containerCells, created, formatSelector, nameOf, num, ownerOf, withDeletion } from './common.js';
import { humanAge, toMs } from './format.js';
import type { ResourceColumns, RowState } from './types.js';

/** kubectl's COMPLETIONS: "1/3", "2/1 of 4" for a work queue with parallelism. */
export function jobCompletions(job: any): string {
  const succeeded = num(job?.status?.succeeded);
  if (job?.spec?.completions !== undefined && job?.spec?.completions !== null) return `${succeeded}/${num(job.spec.completions)}`;
  const parallelism = num(job?.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export function jobDuration(job: any, now: number): string {
  const start = toMs(job?.status?.startTime);
  if (start === '') return '';
  const end = toMs(job?.status?.completionTime);
  return humanAge((end === '' ? now : end) - start);
}

/** K9s's rule: a job is in error while it has failed pods and not every completion it wants. */
export function jobState(job: any): RowState {
  const [done, want] = jobCompletions(job).split('/');
  return withDeletion(job, done !== want && num(job?.status?.failed) > 0 ? 'error' : 'normal');
}

export const jobColumns: ResourceColumns = {
  columns: [
    NAME,
    { name: 'COMPLETIONS' },
    { name: 'DURATION' },
    { name: 'CONTAINERS', wide: true },
    { name: 'IMAGES', wide: true },
    { name: 'SELECTOR', wide: true },
    AGE,
  ],
  project(job: any, now: number) {
    const selector = formatSelector(job?.spec?.selector);
    const [containers, images] = containerCells(job?.spec?.template?.spec);
    const owner = ownerOf(job);
    return {
      cells: [nameOf(job), jobCompletions(job), jobDuration(job, now), containers, images, selector || '<none>', created(job)],
      state: jobState(job),
      extra: {
        selector,
        active: num(job?.status?.active),
        succeeded: num(job?.status?.succeeded),
        failed: num(job?.status?.failed),
        ...(owner ? { owner } : {}),
      },
    };
  },
};
