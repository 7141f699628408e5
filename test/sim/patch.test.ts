import { describe, it, expect } from 'vitest';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from '../../src/sim/patch.js';

/** Recursively freezes so any mutation of an input throws (ESM test files are strict mode). */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
const clone = <T>(v: T): T => structuredClone(v);

/** Applies a patch to frozen inputs and checks they are unchanged afterwards. */
function frozen<T>(fn: (t: unknown, p: unknown) => T, target: unknown, patch: unknown): T {
  const t0 = clone(target);
  const p0 = clone(patch);
  const out = fn(deepFreeze(target), deepFreeze(patch));
  expect(target).toEqual(t0);
  expect(patch).toEqual(p0);
  return out;
}
const merge = (t: unknown, p: unknown) => frozen(applyMergePatch, t, p);
const jp = (t: unknown, p: unknown) => frozen(applyJsonPatch, t, p);
const smp = (t: unknown, p: unknown) => frozen(applyStrategicMergePatch, t, p);

describe('applyMergePatch (RFC 7386)', () => {
  // Appendix A test vectors.
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(cases)('%j + %j', (t, p, want) => {
    expect(merge(t, p)).toEqual(want);
  });

  it('shares untouched subtrees', () => {
    const t = { a: { x: 1 }, b: { y: 2 } };
    const out = merge(t, { b: { y: 3 } });
    expect(out.a).toBe(t.a);
    expect(out).toEqual({ a: { x: 1 }, b: { y: 3 } });
  });

  it('treats __proto__ as a plain key', () => {
    const out = merge({}, JSON.parse('{"__proto__":{"polluted":true}}'));
    expect(({} as any).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
  });
});

describe('applyJsonPatch (RFC 6902)', () => {
  const doc = { foo: 'bar', arr: [1, 2, 3], nested: { 'a/b': 1, 'm~n': 2 } };

  it('add to object, array index, append and root', () => {
    expect(jp(doc, [{ op: 'add', path: '/baz', value: 'qux' }])).toMatchObject({ baz: 'qux', foo: 'bar' });
    expect(jp(doc, [{ op: 'add', path: '/arr/1', value: 9 }]).arr).toEqual([1, 9, 2, 3]);
    expect(jp(doc, [{ op: 'add', path: '/arr/-', value: 4 }]).arr).toEqual([1, 2, 3, 4]);
    expect(jp(doc, [{ op: 'add', path: '/arr/3', value: 4 }]).arr).toEqual([1, 2, 3, 4]);
    expect(jp(doc, [{ op: 'add', path: '', value: { x: 1 } }])).toEqual({ x: 1 });
    expect(jp(doc, [{ op: 'add', path: '/foo', value: null }]).foo).toBeNull();
  });

  it('unescapes ~0 and ~1', () => {
    expect(jp(doc, [{ op: 'replace', path: '/nested/a~1b', value: 10 }]).nested['a/b']).toBe(10);
    expect(jp(doc, [{ op: 'remove', path: '/nested/m~0n' }]).nested).toEqual({ 'a/b': 1 });
    expect(() => jp(doc, [{ op: 'remove', path: '/nested/m~2n' }])).toThrow(PatchError);
  });

  it('remove and replace', () => {
    expect(jp(doc, [{ op: 'remove', path: '/arr/0' }]).arr).toEqual([2, 3]);
    expect(jp(doc, [{ op: 'remove', path: '/foo' }])).not.toHaveProperty('foo');
    expect(jp(doc, [{ op: 'replace', path: '/arr/2', value: 'x' }]).arr).toEqual([1, 2, 'x']);
    expect(jp(doc, [{ op: 'replace', path: '', value: 5 }])).toBe(5);
  });

  it('move and copy', () => {
    const moved = jp(doc, [{ op: 'move', from: '/foo', path: '/nested/foo' }]);
    expect(moved).not.toHaveProperty('foo');
    expect(moved.nested.foo).toBe('bar');
    expect(jp(doc, [{ op: 'move', from: '/arr/0', path: '/arr/-' }]).arr).toEqual([2, 3, 1]);
    const copied = jp(doc, [{ op: 'copy', from: '/nested', path: '/copy' }]);
    expect(copied.copy).toEqual(doc.nested);
    expect(copied.nested).toEqual(doc.nested);
    expect(() => jp(doc, [{ op: 'move', from: '/nested', path: '/nested/child' }])).toThrow(PatchError);
  });

  it('test op passes and fails', () => {
    expect(jp(doc, [{ op: 'test', path: '/arr', value: [1, 2, 3] }, { op: 'replace', path: '/foo', value: 1 }]).foo).toBe(1);
    expect(() => jp(doc, [{ op: 'test', path: '/foo', value: 'nope' }])).toThrow(/test failed/);
    expect(() => jp(doc, [{ op: 'test', path: '/missing', value: 1 }])).toThrow(PatchError);
    // a failed test aborts the whole patch
    expect(() => jp(doc, [{ op: 'add', path: '/x', value: 1 }, { op: 'test', path: '/x', value: 2 }])).toThrow(PatchError);
  });

  it('is applied sequentially on the intermediate document', () => {
    const out = jp({}, [
      { op: 'add', path: '/metadata', value: {} },
      { op: 'add', path: '/metadata/labels', value: { a: '1' } },
      { op: 'replace', path: '/metadata/labels/a', value: '2' },
    ]);
    expect(out).toEqual({ metadata: { labels: { a: '2' } } });
  });

  it('rejects bad operations and missing paths', () => {
    const bad: unknown[] = [
      { op: 'add', path: '/a/b', value: 1 }, // missing parent
      { op: 'remove', path: '/missing' },
      { op: 'replace', path: '/missing', value: 1 },
      { op: 'remove', path: '/arr/3' },
      { op: 'add', path: '/arr/5', value: 1 },
      { op: 'add', path: '/arr/01', value: 1 },
      { op: 'add', path: '/foo/x', value: 1 }, // parent is a string
      { op: 'add', path: '/x' }, // missing value
      { op: 'bogus', path: '/foo' },
      { op: 'add', path: 'foo', value: 1 }, // pointer without leading slash
      { op: 'move', from: '/missing', path: '/x' },
      { op: 'remove', path: '' },
      'not an object',
    ];
    for (const op of bad) expect(() => jp(doc, [op]), JSON.stringify(op)).toThrow(PatchError);
    expect(() => jp(doc, { op: 'add' })).toThrow(PatchError);
  });
});

const node = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1', labels: { role: 'worker' } },
  spec: { podCIDR: '10.0.0.0/24' },
  status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'DiskPressure', status: 'False' }] },
};

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', finalizers: ['a', 'b', 'c'] },
  spec: {
    replicas: 2,
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'app', image: 'app:1', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] },
          { name: 'sidecar', image: 'side:1' },
        ],
        volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg' } }],
      },
    },
  },
};

describe('applyStrategicMergePatch', () => {
  it('cordon / uncordon a Node', () => {
    const cordoned = smp(node, { spec: { unschedulable: true } });
    expect(cordoned.spec).toEqual({ podCIDR: '10.0.0.0/24', unschedulable: true });
    expect(cordoned.status).toBe(node.status); // structural sharing
    const uncordoned = smp(cordoned, { spec: { unschedulable: null } });
    expect(uncordoned.spec).toEqual({ podCIDR: '10.0.0.0/24' });
  });

  it('rollout restart annotation keeps containers intact', () => {
    const out = smp(deployment, {
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } } } },
    });
    expect(out.spec.template.metadata).toEqual({
      labels: { app: 'web' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' },
    });
    expect(out.spec.template.spec).toBe(deployment.spec.template.spec);
    expect(out.spec.replicas).toBe(2);
  });

  it('merges containers by name', () => {
    const out = smp(deployment, { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'side:2' }] } } } });
    expect(out.spec.template.spec.containers).toEqual([
      deployment.spec.template.spec.containers[0],
      { name: 'sidecar', image: 'side:2' },
    ]);
    expect(out.spec.template.spec.containers[0]).toBe(deployment.spec.template.spec.containers[0]);
  });

  it('appends new elements and merges nested keyed lists (env, ports)', () => {
    const out = smp(deployment, {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'app', env: [{ name: 'B', value: '2' }, { name: 'A', value: 'x' }], ports: [{ containerPort: 443 }] },
              { name: 'new', image: 'new:1', args: null },
            ],
          },
        },
      },
    });
    const [app, sidecar, added] = out.spec.template.spec.containers;
    expect(app.env).toEqual([{ name: 'A', value: 'x' }, { name: 'B', value: '2' }]);
    expect(app.ports).toEqual([{ containerPort: 80 }, { containerPort: 443 }]);
    expect(app.image).toBe('app:1');
    expect(sidecar.name).toBe('sidecar');
    expect(added).toEqual({ name: 'new', image: 'new:1' });
  });

  it('merges service ports by port and conditions by type', () => {
    const svc = { spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'https', port: 443 }] } };
    expect(smp(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }).spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 9090 },
      { name: 'https', port: 443 },
    ]);
    const out = smp(node, { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletDown' }] } });
    expect(out.status.conditions).toEqual([
      { type: 'Ready', status: 'False', reason: 'KubeletDown' },
      { type: 'DiskPressure', status: 'False' },
    ]);
  });

  it('replaces lists without a merge key', () => {
    const pod = { spec: { tolerations: [{ key: 'a' }], containers: [{ name: 'c', args: ['x', 'y'], command: ['sh'] }] } };
    const out = smp(pod, { spec: { tolerations: [{ key: 'b' }], containers: [{ name: 'c', args: ['z'] }] } });
    expect(out.spec.tolerations).toEqual([{ key: 'b' }]);
    expect(out.spec.containers).toEqual([{ name: 'c', args: ['z'], command: ['sh'] }]);
  });

  it('$patch: delete removes a list element by merge key', () => {
    const out = smp(deployment, {
      spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }], volumes: [{ name: 'data', $patch: 'delete' }] } } },
    });
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['app']);
    expect(out.spec.template.spec.volumes).toEqual([{ name: 'cfg', configMap: { name: 'cfg' } }]);
  });

  it('$patch: delete / replace on maps', () => {
    expect(smp(deployment, { metadata: { $patch: 'delete' } })).not.toHaveProperty('metadata');
    const out = smp(deployment, { spec: { template: { metadata: { $patch: 'replace', labels: { app: 'other' } } } } });
    expect(out.spec.template.metadata).toEqual({ labels: { app: 'other' } });
    expect(smp({ a: 1 }, { $patch: 'replace', b: 2 })).toEqual({ b: 2 });
  });

  it('$patch: replace as a list element replaces the whole list', () => {
    const out = smp(deployment, { spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } } } });
    expect(out.spec.template.spec.containers).toEqual([{ name: 'only', image: 'x' }]);
  });

  it('$setElementOrder reorders a merged list', () => {
    const out = smp(deployment, {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
            containers: [{ name: 'app', image: 'app:2' }],
          },
        },
      },
    });
    expect(out.spec.template.spec.containers.map((c: any) => [c.name, c.image])).toEqual([
      ['sidecar', 'side:1'],
      ['app', 'app:2'],
    ]);
    expect(Object.keys(out.spec.template.spec).filter((k) => k.startsWith('$'))).toEqual([]);
  });

  it('$setElementOrder keeps unnamed elements and places new ones', () => {
    const pod = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } };
    const out = smp(pod, {
      spec: { '$setElementOrder/containers': [{ name: 'new' }, { name: 'c' }, { name: 'a' }], containers: [{ name: 'new' }] },
    });
    const names = out.spec.containers.map((c: any) => c.name);
    expect(names).toHaveLength(4);
    expect(names.filter((n: string) => n !== 'b')).toEqual(['new', 'c', 'a']);
    expect(Object.keys(out.spec)).toEqual(['containers']);
  });

  it('$deleteFromPrimitiveList and primitive merge of finalizers', () => {
    const out = smp(deployment, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'], finalizers: ['d', 'a'] } });
    expect(out.metadata.finalizers).toEqual(['a', 'c', 'd']);
    expect(Object.keys(out.metadata)).toEqual(['name', 'namespace', 'finalizers']);
    const only = smp(deployment, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a', 'c'] } });
    expect(only.metadata.finalizers).toEqual(['b']);
  });

  it('$retainKeys drops keys not listed', () => {
    const dep = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
    const out = smp(dep, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
    const vol = { spec: { volumes: [{ name: 'v', emptyDir: {} }] } };
    const out2 = smp(vol, { spec: { volumes: [{ name: 'v', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/x' } }] } });
    expect(out2.spec.volumes).toEqual([{ name: 'v', hostPath: { path: '/x' } }]);
  });

  it('map patch over a missing or non-map value strips directives and nulls', () => {
    const out = smp({ metadata: { name: 'x' } }, {
      metadata: { annotations: { a: '1', b: null, $patch: 'merge' } },
      spec: { template: { $retainKeys: ['x'], x: 1, y: null }, list: [{ name: 'a', $patch: 'delete' }, { name: 'b', z: null }] },
    });
    expect(out).toEqual({ metadata: { name: 'x', annotations: { a: '1' } }, spec: { template: { x: 1 }, list: [{ name: 'b' }] } });
    expect(smp({ a: 'str' }, { a: { b: 1, c: null } })).toEqual({ a: { b: 1 } });
  });

  it('adds a keyed list where none existed', () => {
    const out = smp({ spec: {} }, { spec: { containers: [{ name: 'a', image: 'i', $patch: 'merge' }, { name: 'gone', $patch: 'delete' }] } });
    expect(out.spec.containers).toEqual([{ name: 'a', image: 'i' }]);
  });

  it('ownerReferences merge by uid, volumeMounts by mountPath', () => {
    const obj = {
      metadata: { ownerReferences: [{ uid: 'u1', name: 'rs1' }] },
      spec: { containers: [{ name: 'c', volumeMounts: [{ name: 'v', mountPath: '/a' }] }] },
    };
    const out = smp(obj, {
      metadata: { ownerReferences: [{ uid: 'u2', name: 'rs2' }] },
      spec: { containers: [{ name: 'c', volumeMounts: [{ name: 'w', mountPath: '/a' }, { name: 'v', mountPath: '/b' }] }] },
    });
    expect(out.metadata.ownerReferences.map((o: any) => o.uid)).toEqual(['u1', 'u2']);
    expect(out.spec.containers[0].volumeMounts).toEqual([{ name: 'w', mountPath: '/a' }, { name: 'v', mountPath: '/b' }]);
  });

  it('rejects non-object patches and unknown $patch values', () => {
    expect(() => smp(node, [1])).toThrow(PatchError);
    expect(() => smp(node, { spec: { $patch: 'frobnicate' } })).toThrow(PatchError);
  });
});
