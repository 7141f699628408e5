/**
 * CronJobs: NAME SCHEDULE SUSPEND ACTIVE LAST-SCHEDULE AGE. LAST-SCHEDULE is an age column
 * (the time of the last schedule), '' when it never ran.
 */
import { AGE, NAME, created, nameOf, withDeletion } from './common.js';
import { toMs } from './format.js';
import type { ResourceColumns } from './types.js';

export const cronJobColumns: ResourceColumns = {
  columns: [
    NAME,
    { name: 'SCHEDULE' },
    { name: 'SUSPEND' },
    { name: 'ACTIVE', kind: 'number' },
    { name: 'LAST-SCHEDULE', kind: 'age' },
    AGE,
  ],
  project(cj: any) {
    const suspend = Boolean(cj?.spec?.suspend);
    const active = Array.isArray(cj?.status?.active) ? cj.status.active.length : 0;
    const schedule = String(cj?.spec?.schedule ?? '');
    return {
      cells: [nameOf(cj), schedule, suspend ? 'True' : 'False', active, toMs(cj?.status?.lastScheduleTime), created(cj)],
      state: withDeletion(cj, 'normal'),
      extra: { schedule, suspend, active },
    };
  },
};
