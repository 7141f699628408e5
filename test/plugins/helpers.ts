/** Temporary XDG trees for plugin tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Tree {
  root: string;
  env: NodeJS.ProcessEnv;
  config: string;
  data: string;
  shipped: string;
  write(rel: string, text: string): string;
  cleanup(): void;
}

export function tree(): Tree {
  const root = mkdtempSync(join(tmpdir(), 'kmux-plugins-'));
  const config = join(root, 'config');
  const data = join(root, 'data');
  const shipped = join(root, 'shipped');
  for (const d of [config, data, shipped, join(root, 'sysdata')]) mkdirSync(d, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: root,
    XDG_CONFIG_HOME: config,
    XDG_DATA_HOME: data,
    XDG_DATA_DIRS: join(root, 'sysdata'),
  };
  return {
    root,
    env,
    config,
    data,
    shipped,
    write(rel, text) {
      const file = join(root, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
