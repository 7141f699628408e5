export function sourcesState(root?: string): { newest: number; files: number };
export function isStale(root?: string): boolean;
export function build(o?: { quiet?: boolean }): Promise<number>;
