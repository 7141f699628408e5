/** Background change at about R changes a second: what a busy cluster looks like to a watcher. */
import { Cluster, POD, DEPLOY } from './cluster.js';
import { controllerOf, isActive, runningStatus } from './pods.js';
import { nowIso } from './store.js';

export class Churn {
  private timer?: NodeJS.Timeout;
  private owed = 0;
  private podKeys: [string, string][] = [];
  private deployKeys: [string, string][] = [];
  private sampledAt = 0;

  constructor(private readonly c: Cluster, public rate: number) {}

  start(): void {
    if (this.timer || this.rate <= 0) return;
    this.timer = setInterval(() => this.step(0.1), 100);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A new rate from now on (0 pauses it: the cluster's controllers still run). */
  setRate(rate: number): void {
    this.stop();
    this.rate = rate;
    this.owed = 0;
    this.start();
  }

  private sample(): void {
    const now = Date.now();
    if (now - this.sampledAt < 2000 && this.podKeys.length) return;
    this.sampledAt = now;
    this.podKeys = [];
    for (const p of this.c.store.iter(POD)) if (isActive(p)) this.podKeys.push([p.metadata.namespace, p.metadata.name]);
    this.deployKeys = [];
    for (const d of this.c.store.iter(DEPLOY)) if (d.metadata.namespace !== 'kube-system') this.deployKeys.push([d.metadata.namespace, d.metadata.name]);
  }

  step(seconds: number): void {
    this.owed += this.rate * seconds;
    if (this.owed < 1) return;
    this.sample();
    const n = Math.floor(this.owed);
    this.owed -= n;
    for (let i = 0; i < n; i++) this.one();
  }

  /** One change; each is a few API writes, as the real thing would make. */
  private one(): void {
    const c = this.c;
    const roll = Math.random();
    if (roll < 0.1 && this.deployKeys.length) {
      const [ns, name] = this.deployKeys[Math.floor(Math.random() * this.deployKeys.length)];
      c.store.mutate(DEPLOY, ns, name, (d) => {
        const cur = d.spec.replicas ?? 1;
        const next = Math.max(1, Math.min(cur + (Math.random() < 0.5 ? -1 : 1), cur + 2));
        return next === cur ? d : { ...d, spec: { ...d.spec, replicas: next } };
      });
      return;
    }
    if (!this.podKeys.length) return;
    const [ns, name] = this.podKeys[Math.floor(Math.random() * this.podKeys.length)];
    const pod = c.store.get(POD, ns, name);
    if (!pod || !isActive(pod) || pod.metadata.namespace === 'kube-system' || pod.status?.phase !== 'Running') return;
    if (roll < 0.45) {
      // a pod replaced: its controller will make a new one
      if (controllerOf(pod)?.kind === 'ReplicaSet') c.deletePod(pod);
    } else if (roll < 0.7) {
      // a container restart
      const cs = pod.status.containerStatuses?.[0];
      if (!cs?.state?.running) return;
      const st = runningStatus(pod, pod.status.hostIP, pod.status.podIP, c.now(), c.now(), { restarts: (cs.restartCount ?? 0) + 1, lastFinishedMs: c.now() - 1000 });
      c.store.update(POD, { ...pod, status: { ...st, startTime: pod.status.startTime } });
      c.recordEvent(pod, 'Normal', 'Pulled', `Container image "${pod.spec.containers[0].image}" already present on machine`);
    } else {
      // readiness flaps
      const ready = pod.status.conditions?.find((x: any) => x.type === 'Ready')?.status === 'True';
      const at = nowIso(c.now());
      const flip = (x: any) => (x.type === 'Ready' || x.type === 'ContainersReady') ? { ...x, status: ready ? 'False' : 'True', lastTransitionTime: at } : x;
      c.store.update(POD, {
        ...pod,
        status: {
          ...pod.status, conditions: pod.status.conditions.map(flip),
          containerStatuses: pod.status.containerStatuses.map((s: any, i: number) => (i === 0 ? { ...s, ready: !ready } : s)),
        },
      });
      if (ready) c.recordEvent(pod, 'Warning', 'Unhealthy', `Readiness probe failed: HTTP probe failed with statuscode: 503`);
    }
  }
}
