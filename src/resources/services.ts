/**
 * Services: NAME TYPE CLUSTER-IP EXTERNAL-IP PORTS AGE, wide SELECTOR (kubectl's rules for each cell).
 */
import { AGE, NAME, created, formatMap, nameOf, withDeletion } from './common.js';
import type { ResourceColumns } from './types.js';

function loadBalancerIngress(svc: any): string[] {
  const ing: any[] = Array.isArray(svc?.status?.loadBalancer?.ingress) ? svc.status.loadBalancer.ingress : [];
  return ing.map((i) => String(i?.ip || i?.hostname || '')).filter(Boolean);
}

/** kubectl's getServiceExternalIP. */
export function serviceExternalIP(svc: any): string {
  const external: string[] = Array.isArray(svc?.spec?.externalIPs) ? svc.spec.externalIPs.map(String) : [];
  switch (svc?.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const all = [...loadBalancerIngress(svc), ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return String(svc?.spec?.externalName ?? '');
    default:
      return '<unknown>';
  }
}

/** "80/TCP,443:30443/TCP", or '<none>'. */
export function servicePorts(svc: any): string {
  const ports: any[] = Array.isArray(svc?.spec?.ports) ? svc.spec.ports : [];
  if (!ports.length) return '<none>';
  return ports
    .map((p) => {
      const proto = p?.protocol ?? 'TCP';
      return p?.nodePort ? `${p.port}:${p.nodePort}/${proto}` : `${p?.port}/${proto}`;
    })
    .join(',');
}

export const serviceColumns: ResourceColumns = {
  columns: [
    NAME,
    { name: 'TYPE' },
    { name: 'CLUSTER-IP' },
    { name: 'EXTERNAL-IP' },
    { name: 'PORTS' },
    { name: 'SELECTOR', wide: true },
    AGE,
  ],
  project(svc: any) {
    const type = String(svc?.spec?.type ?? 'ClusterIP');
    const external = serviceExternalIP(svc);
    const selector = formatMap(svc?.spec?.selector);
    const ports: any[] = Array.isArray(svc?.spec?.ports) ? svc.spec.ports : [];
    return {
      cells: [
        nameOf(svc),
        type,
        String(svc?.spec?.clusterIP || '<none>'),
        external,
        servicePorts(svc),
        selector || '<none>',
        created(svc),
      ],
      state: withDeletion(svc, type === 'LoadBalancer' && external === '<pending>' ? 'pending' : 'normal'),
      extra: {
        type,
        selector,
        ports: ports.map((p) => ({
          name: String(p?.name ?? ''),
          port: Number(p?.port),
          targetPort: p?.targetPort ?? p?.port,
          protocol: String(p?.protocol ?? 'TCP'),
          ...(p?.nodePort ? { nodePort: Number(p.nodePort) } : {}),
        })),
      },
    };
  },
};
