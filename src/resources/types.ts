/**
 * What a resource kind contributes to a view: its columns, and a projection of an API object
 * into a compact row. Stores keep rows, not objects (a 50,000-pod cluster would not fit in
 * memory as full objects three times over); describe and YAML fetch the object when asked.
 */

/**
 * A row's state, which picks its color as K9s's colorers do (frame.status.*): normal rows take
 * newColor, and addColor or modifyColor for a while after they appear or change; `steady` is
 * normal but never takes those (K9s draws a running pod in newColor whatever happened to it);
 * `added` (addColor) and `highlight` (highlightColor) are states K9s gives some pod statuses.
 */
export type RowState = 'normal' | 'steady' | 'new' | 'modified' | 'added' | 'highlight' | 'error' | 'pending' | 'completed' | 'terminating';

export type ColumnKind =
  | 'text'
  | 'number' // right-aligned, sorts numerically
  | 'age' // cell holds a creation time in ms; shown as 5m, 3d...
  | 'cpu' // filled by the view from metrics: millicores
  | 'mem' // filled by the view from metrics: bytes
  | 'cpupct' // filled by the view: CPU use over the row's extra[basis].cpuMilli
  | 'mempct' // filled by the view: memory use over the row's extra[basis].memBytes
  | 'podcount'; // filled by the view: pods on the node (nodes view)

export interface Column {
  name: string; // upper case header, e.g. 'READY'
  kind?: ColumnKind; // default 'text'
  /** shown only in wide mode (ctrl-w). */
  wide?: boolean;
  /** shown only when the terminal has room for it (dropped right to left before others shrink); always in wide mode */
  optional?: boolean;
  /** cpupct/mempct: what the use is a share of (default allocatable: nodes; pods: requests or limits) */
  basis?: PctBasis;
  /** an age column whose time changes with the object (an event's last seen, not a creation time) */
  mutable?: boolean;
  /** views.yaml's L or R: the alignment, whatever the kind (default: numbers right, text left) */
  align?: 'left' | 'right';
}

/** Where views.yaml puts a column the view adds itself (NAMESPACE, CONTEXT): its place among the columns, its flags. */
export interface PlacedColumn {
  name: 'NAMESPACE' | 'CONTEXT';
  /** index in `columns` it goes before */
  at: number;
  wide?: boolean;
  hidden?: boolean;
  align?: 'left' | 'right';
}

export type PctBasis = 'allocatable' | 'requests' | 'limits';

/** A reference to an API object, enough to GET, PATCH or DELETE it. */
export interface ObjectRef {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  namespace?: string;
  name: string;
}

export interface Projection {
  /** one cell per column, in order; '' for metric columns (the view fills them). */
  cells: (string | number)[];
  state: RowState;
  /** kind-specific facts actions and drill-down need (node name, containers, selector...). */
  extra?: Record<string, unknown>;
}

export interface ResourceColumns {
  columns: Column[];
  /** how the view sorts before the user picks (e.g. events: last seen, newest first) */
  defaultSort?: { column: string; asc: boolean };
  /** views.yaml's placing of NAMESPACE and CONTEXT (absent: first, as always) */
  placed?: PlacedColumn[];
  project(obj: any, now: number): Projection;
}
