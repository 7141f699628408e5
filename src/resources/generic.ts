/**
 * Columns for any kind without a file of its own (CRD instances and the rarer built-ins):
 * NAME, the CRD's additionalPrinterColumns, AGE.
 */
import { AGE, NAME, condition, created, nameOf, ownerOf, withDeletion } from './common.js';
import { toMs } from './format.js';
import { compileJsonPath, jsonPathFirst } from './jsonpath.js';
import type { Column, Projection, ResourceColumns, RowState } from './types.js';

export interface PrinterColumn {
  name: string;
  type: string; // integer | number | string | boolean | date
  jsonPath: string;
  priority?: number;
  format?: string;
  description?: string;
}

/** A printer column's cell, the way the API server's CRD table convertor types it. */
export function printerCell(type: string, value: unknown): string | number {
  if (value === undefined || value === null) return '';
  switch (type) {
    case 'integer':
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n)) return '';
      return type === 'integer' ? Math.trunc(n) : n;
    }
    case 'date':
      return typeof value === 'string' || typeof value === 'number' ? toMs(value) : '';
    case 'boolean':
      return typeof value === 'boolean' ? String(value) : '';
    default:
      return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

const header = (name: string): string => name.trim().toUpperCase().replace(/\s+/g, '-');

/**
 * The row state of an object we know nothing about: terminating while deleted, error when
 * its Ready condition is False (the convention of most operators), else normal.
 */
function genericState(obj: any): RowState {
  return withDeletion(obj, condition(obj, 'Ready')?.status === 'False' ? 'error' : 'normal');
}

function extraOf(obj: any): Record<string, unknown> {
  const owner = ownerOf(obj);
  return { ...(owner ? { owner } : {}) };
}

const plain: ResourceColumns = {
  columns: [NAME, AGE],
  project(obj: any): Projection {
    return { cells: [nameOf(obj), created(obj)], state: genericState(obj), extra: extraOf(obj) };
  },
};

export function genericColumns(printerColumns?: PrinterColumn[]): ResourceColumns {
  const pcs = (printerColumns ?? []).filter((pc) => pc && typeof pc.name === 'string' && header(pc.name) !== 'NAME');
  if (pcs.length === 0) return plain;

  // A date column named Age becomes the AGE column, always last and never wide.
  const ageIndex = pcs.findIndex((pc) => pc.type === 'date' && header(pc.name) === 'AGE');
  const ageCol = ageIndex >= 0 ? pcs[ageIndex] : undefined;
  const shown = pcs.filter((_, i) => i !== ageIndex);
  const valid = (p: string): boolean => {
    try {
      compileJsonPath(p);
      return true;
    } catch {
      return false;
    }
  };
  const columns: Column[] = [
    NAME,
    ...shown.map((pc): Column => {
      const c: Column = { name: header(pc.name) };
      if (pc.type === 'date') c.kind = 'age';
      else if (pc.type === 'integer' || pc.type === 'number') c.kind = 'number';
      if ((pc.priority ?? 0) > 0) c.wide = true;
      return c;
    }),
    AGE,
  ];
  // a column with a path that does not parse shows '' rather than failing the whole view
  const paths = shown.map((pc) => (valid(pc.jsonPath) ? pc.jsonPath : undefined));
  const agePath = ageCol && valid(ageCol.jsonPath) ? ageCol.jsonPath : undefined;

  return {
    columns,
    project(obj: any): Projection {
      const cells: (string | number)[] = [nameOf(obj)];
      shown.forEach((pc, i) => {
        const p = paths[i];
        cells.push(p === undefined ? '' : printerCell(pc.type, jsonPathFirst(obj, p)));
      });
      cells.push(ageCol ? (agePath ? printerCell('date', jsonPathFirst(obj, agePath)) : '') : created(obj));
      return { cells, state: genericState(obj), extra: extraOf(obj) };
    },
  };
}
