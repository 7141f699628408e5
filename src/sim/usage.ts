/** `kmux sim --help`: apart from the simulator, so printing it (and shell completion) loads nothing else. */
export const SIM_USAGE = `Usage: kmux sim [options]

Runs a fleet of simulated Kubernetes clusters that speak the real HTTP API.

Options:
  --clusters N          clusters in the fleet (default 3: dev, staging, prod, then cluster-4...)
  --nodes N             nodes per cluster, one of them the control plane (default 5)
  --pods N              pods per cluster, roughly (default 150)
  --churn R             about R changes a second per cluster (default 0)
  --seed S              same seed, same fleet (default 1)
  --port P              first port; cluster i listens on P+i (default 0: free ports)
  --kubeconfig-out FILE write a kubeconfig with one context per cluster, and the other
                        users' contexts on prod (prod-viewer, prod-team-a, prod-exec)
  --rv-wait-ms MS       how long a list for a resourceVersion ahead of the store waits
                        before "504 Too large resource version" (default 1000; apiserver 3000)
  --exec-token-ttl S    seconds the exec plugin's tokens live before a 401 (default 600)
  --watch-timeout S     each watch ends after S to 2S seconds, or sooner when the client's
                        timeoutSeconds says so (default: the apiserver's 1800, and the
                        client's timeoutSeconds wins)
  --history-seconds S   watch history kept, as etcd compacts it: a watch resumed from an
                        older resourceVersion gets 410 Expired and relists (default 120)
  --history-size N      at most N events of watch history per cluster (default 20000)
  --insecure-http       plain HTTP instead of TLS, no credentials needed (everyone is a
                        cluster-admin, as the apiserver's old insecure port); only the admin
                        contexts are written
  --no-helm             no Helm releases (by default each cluster holds a few, stored as
                        Helm 3 stores them, with their objects)
  -h, --help            this help

Users and RBAC (with TLS, the default: a CA made at start-up is the kubeconfig's
certificate-authority-data; the serving certificate is for 127.0.0.1 and localhost):
  context            user       credential                         may
  dev, staging, prod admin      client certificate, O=system:masters everything
  prod-viewer        viewer     bearer token                       view everywhere: read, logs; no
                                                                   secrets, nodes, exec, port-forward
  prod-team-a        team-a     bearer token                       edit in web and payments (writes,
                                                                   exec, scale, secrets); nothing else
  prod-exec          exec-user  exec plugin, a short-lived token   view everywhere (group developers)
  No credentials: system:anonymous, allowed /version, /healthz, /livez and /readyz only; a wrong
  one: 401 Unauthorized. admin may impersonate (kubectl --as viewer). Roles and bindings are
  real objects: kubectl get clusterroles, create rolebinding, auth can-i --list, auth whoami.

Faults, on each cluster's own port, no credentials needed (see docs/simulator.md; with TLS,
curl -k or --cacert with the CA from the kubeconfig):
  curl URL/_sim/health                      memory, watches, sockets, history, objects, pods
  curl -X POST URL/_sim/churn -d '{"rate":0}'  pause the churn (GET URL/_sim/churn: its rate)
  curl URL/_sim/faults                      show them
  curl -X PUT URL/_sim/faults -d JSON       set them, e.g. {"latencyMs":500}, {"stallSeconds":10},
                                            {"deny":[{"code":403,"resource":"pods","namespace":"web"}]},
                                            {"errors":[{"code":429,"count":3}]}, {"truncate":[{"resource":"pods"}]}
  curl -X POST URL/_sim/faults -d JSON      add to them; curl -X DELETE URL/_sim/faults clears them
  curl -X POST URL/_sim/watches/drop        cut every open watch (/_sim/watches/close: end them cleanly)
  curl -X POST URL/_sim/restart -d JSON     restart the cluster on its port: {} the same objects with
                                            the resourceVersion counter reset, {"seed":N} another cluster
`;
