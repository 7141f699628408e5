// Decoder for the Kubernetes protobuf envelope ("k8s\0" + runtime.Unknown) and the message
// types client-go sends the sim as protobuf bodies: DeleteOptions and Eviction (drain), the
// objects `kubectl create <kind>` sends (Namespace, ConfigMap, Secret, ServiceAccount, Service,
// Deployment, Job, CronJob, PodDisruptionBudget, Pod, Role, ClusterRole, RoleBinding,
// ClusterRoleBinding), and the reviews of `kubectl auth whoami` and `kubectl auth can-i`.
// Read-only: the sim always answers JSON.

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const EMPTY: Buffer = Buffer.alloc(0);

export function isK8sProtobuf(buf: Buffer): boolean {
  return buf.length >= MAGIC.length && buf.subarray(0, MAGIC.length).equals(MAGIC);
}

type Field = { no: number; wire: number; varint: bigint; bytes: Buffer };

/** Iterates over the fields of one message. Throws on truncated or malformed input. */
function* fields(buf: Buffer): Generator<Field> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) throw new Error('protobuf: truncated varint');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new Error('protobuf: varint longer than 10 bytes');
  };
  const take = (n: number): Buffer => {
    if (n > buf.length - pos) throw new Error('protobuf: truncated field');
    const out = buf.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < buf.length) {
    const tag = varint();
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (no === 0) throw new Error('protobuf: invalid field number 0');
    const f: Field = { no, wire, varint: 0n, bytes: EMPTY };
    switch (wire) {
      case 0: f.varint = varint(); break;
      case 1: f.bytes = take(8); break; // fixed64
      case 2: f.bytes = take(Number(varint())); break;
      case 5: f.bytes = take(4); break; // fixed32
      default: throw new Error(`protobuf: unsupported wire type ${wire}`); // groups are not used by Kubernetes
    }
    yield f;
  }
}


function wantWire(f: Field, wire: number, what: string): void {
  if (f.wire !== wire) throw new Error(`protobuf: ${what} has wire type ${f.wire}, expected ${wire}`);
}
const str = (f: Field, what: string): string => (wantWire(f, 2, what), f.bytes.toString('utf8'));
const bytes = (f: Field, what: string): Buffer => (wantWire(f, 2, what), f.bytes);
// int64 is a two's-complement varint: -1 arrives as 10 bytes that must be read back as signed.
const int64 = (f: Field, what: string): number => (wantWire(f, 0, what), Number(BigInt.asIntN(64, f.varint)));
const bool = (f: Field, what: string): boolean => (wantWire(f, 0, what), f.varint !== 0n);

export function decodeUnknown(buf: Buffer): { apiVersion: string; kind: string; raw: Buffer } {
  if (!isK8sProtobuf(buf)) throw new Error('protobuf: missing k8s magic prefix');
  let apiVersion = '';
  let kind = '';
  let raw = EMPTY;
  for (const f of fields(buf.subarray(MAGIC.length))) {
    if (f.no === 1) {
      for (const t of fields(bytes(f, 'Unknown.typeMeta'))) {
        if (t.no === 1) apiVersion = str(t, 'TypeMeta.apiVersion');
        else if (t.no === 2) kind = str(t, 'TypeMeta.kind');
      }
    } else if (f.no === 2) raw = bytes(f, 'Unknown.raw');
    else if (f.no === 3) {
      // client-go never compresses request bodies; refuse rather than misread.
      if (str(f, 'Unknown.contentEncoding') !== '') throw new Error('protobuf: unsupported contentEncoding');
    }
  }
  return { apiVersion, kind, raw };
}

export interface DeleteOptionsPB {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
  propagationPolicy?: string;
  dryRun?: string[];
}

export function decodeDeleteOptions(raw: Buffer): DeleteOptionsPB {
  const out: DeleteOptionsPB = {};
  for (const f of fields(raw)) {
    switch (f.no) {
      case 1: out.gracePeriodSeconds = int64(f, 'DeleteOptions.gracePeriodSeconds'); break;
      case 2: {
        const pre: { uid?: string; resourceVersion?: string } = {};
        for (const p of fields(bytes(f, 'DeleteOptions.preconditions'))) {
          if (p.no === 1) pre.uid = str(p, 'Preconditions.uid');
          else if (p.no === 2) pre.resourceVersion = str(p, 'Preconditions.resourceVersion');
        }
        out.preconditions = pre;
        break;
      }
      case 3: out.orphanDependents = bool(f, 'DeleteOptions.orphanDependents'); break;
      case 4: out.propagationPolicy = str(f, 'DeleteOptions.propagationPolicy'); break;
      case 5: (out.dryRun ??= []).push(str(f, 'DeleteOptions.dryRun')); break;
    }
  }
  return out;
}

export function decodeEviction(raw: Buffer): { name?: string; namespace?: string; deleteOptions?: DeleteOptionsPB } {
  const out: { name?: string; namespace?: string; deleteOptions?: DeleteOptionsPB } = {};
  for (const f of fields(raw)) {
    if (f.no === 1) {
      for (const m of fields(bytes(f, 'Eviction.metadata'))) {
        if (m.no === 1) out.name = str(m, 'ObjectMeta.name');
        else if (m.no === 3) out.namespace = str(m, 'ObjectMeta.namespace');
      }
    } else if (f.no === 2) out.deleteOptions = decodeDeleteOptions(bytes(f, 'Eviction.deleteOptions'));
  }
  return out;
}

/** A protobuf body of a kind the sim has no message description for. */
export class UnsupportedProtobufKind extends Error {
  constructor(public readonly kind: string, public readonly apiVersion: string) {
    super(`the simulator cannot decode a protobuf ${kind || 'object'} (${apiVersion}); send it as JSON`);
  }
}

/** Decodes a protobuf request body into the shape the JSON body would have had. */
export function decodeBodyAsJsonLike(buf: Buffer): any {
  const { apiVersion, kind, raw } = decodeUnknown(buf);
  if (kind === 'DeleteOptions') return { kind, apiVersion, ...decodeDeleteOptions(raw) };
  if (kind === 'Eviction') {
    const { name, namespace, deleteOptions } = decodeEviction(raw);
    const metadata: Record<string, string> = {};
    if (name !== undefined) metadata.name = name;
    if (namespace !== undefined) metadata.namespace = namespace;
    const out: Record<string, unknown> = { kind, apiVersion, metadata };
    if (deleteOptions) out.deleteOptions = deleteOptions;
    return out;
  }
  if (OBJECT_KINDS.has(kind)) return { kind, apiVersion, ...decodeMessage(kind, raw) };
  throw new UnsupportedProtobufKind(kind, apiVersion);
}

// ------------------------------------------------------------------ objects

/*
 * The messages of k8s.io/api as generated.proto numbers them (release 1.32), described as
 * "number jsonName type" entries. Types: s string, i int32/int64, b bool, y bytes (base64 in
 * JSON), t meta/v1 Time, q resource.Quantity, x intstr.IntOrString, ms/my/mq a map of string to
 * string/bytes/Quantity, or a message name. `[]` before the type: repeated; `?` after it: a Go
 * pointer, so a zero value is kept (other zero scalars are what Go's omitempty leaves out);
 * `^` before a message type: embedded, its fields go into the parent (jsonName is then `-`).
 * Fields not described are skipped, as is every status (the sim sets its own).
 */
const MESSAGES: Record<string, string> = {
  ObjectMeta: '1 name s,2 generateName s,3 namespace s,4 selfLink s,5 uid s,6 resourceVersion s,7 generation i,8 creationTimestamp t,9 deletionTimestamp t,10 deletionGracePeriodSeconds i?,11 labels ms,12 annotations ms,13 ownerReferences []OwnerReference,14 finalizers []s',
  OwnerReference: '1 kind s,3 name s,4 uid s,5 apiVersion s,6 controller b?,7 blockOwnerDeletion b?',
  LabelSelector: '1 matchLabels ms,2 matchExpressions []LabelSelectorRequirement',
  LabelSelectorRequirement: '1 key s,2 operator s,3 values []s',

  Namespace: '1 metadata ObjectMeta,2 spec NamespaceSpec',
  NamespaceSpec: '1 finalizers []s',
  ConfigMap: '1 metadata ObjectMeta,2 data ms,3 binaryData my,4 immutable b?',
  Secret: '1 metadata ObjectMeta,2 data my,3 type s,4 stringData ms,5 immutable b?',
  ServiceAccount: '1 metadata ObjectMeta,2 secrets []ObjectReference,3 imagePullSecrets []LocalObjectReference,4 automountServiceAccountToken b?',
  ObjectReference: '1 kind s,2 namespace s,3 name s,4 uid s,5 apiVersion s,6 resourceVersion s,7 fieldPath s',
  LocalObjectReference: '1 name s',
  Service: '1 metadata ObjectMeta,2 spec ServiceSpec',
  ServiceSpec: '1 ports []ServicePort,2 selector ms,3 clusterIP s,4 type s,5 externalIPs []s,7 sessionAffinity s,8 loadBalancerIP s,9 loadBalancerSourceRanges []s,10 externalName s,11 externalTrafficPolicy s,12 healthCheckNodePort i,13 publishNotReadyAddresses b,14 sessionAffinityConfig SessionAffinityConfig,17 ipFamilyPolicy s?,18 clusterIPs []s,19 ipFamilies []s,20 allocateLoadBalancerNodePorts b?,21 loadBalancerClass s?,22 internalTrafficPolicy s?,23 trafficDistribution s?',
  SessionAffinityConfig: '1 clientIP ClientIPConfig',
  ClientIPConfig: '1 timeoutSeconds i?',
  ServicePort: '1 name s,2 protocol s,3 port i,4 targetPort x,5 nodePort i,6 appProtocol s?',

  Pod: '1 metadata ObjectMeta,2 spec PodSpec',
  PodTemplateSpec: '1 metadata ObjectMeta,2 spec PodSpec',
  PodSpec: '1 volumes []Volume,2 containers []Container,3 restartPolicy s,4 terminationGracePeriodSeconds i?,5 activeDeadlineSeconds i?,6 dnsPolicy s,7 nodeSelector ms,8 serviceAccountName s,9 serviceAccount s,10 nodeName s,11 hostNetwork b,12 hostPID b,13 hostIPC b,14 securityContext PodSecurityContext,15 imagePullSecrets []LocalObjectReference,16 hostname s,17 subdomain s,18 affinity Affinity,19 schedulerName s,20 initContainers []Container,21 automountServiceAccountToken b?,22 tolerations []Toleration,23 hostAliases []HostAlias,24 priorityClassName s,25 priority i?,26 dnsConfig PodDNSConfig,27 shareProcessNamespace b?,28 readinessGates []PodReadinessGate,29 runtimeClassName s?,30 enableServiceLinks b?,31 preemptionPolicy s?,32 overhead mq,33 topologySpreadConstraints []TopologySpreadConstraint,35 setHostnameAsFQDN b?,36 os PodOS,37 hostUsers b?,38 schedulingGates []PodSchedulingGate,40 resources ResourceRequirements',
  Container: '1 name s,2 image s,3 command []s,4 args []s,5 workingDir s,6 ports []ContainerPort,7 env []EnvVar,8 resources ResourceRequirements,9 volumeMounts []VolumeMount,10 livenessProbe Probe,11 readinessProbe Probe,12 lifecycle Lifecycle,13 terminationMessagePath s,14 imagePullPolicy s,15 securityContext SecurityContext,16 stdin b,17 stdinOnce b,18 tty b,19 envFrom []EnvFromSource,20 terminationMessagePolicy s,22 startupProbe Probe,23 resizePolicy []ContainerResizePolicy,24 restartPolicy s?',
  ContainerPort: '1 name s,2 hostPort i,3 containerPort i,4 protocol s,5 hostIP s',
  EnvVar: '1 name s,2 value s,3 valueFrom EnvVarSource',
  EnvVarSource: '1 fieldRef ObjectFieldSelector,2 resourceFieldRef ResourceFieldSelector,3 configMapKeyRef ConfigMapKeySelector,4 secretKeyRef SecretKeySelector',
  ObjectFieldSelector: '1 apiVersion s,2 fieldPath s',
  ResourceFieldSelector: '1 containerName s,2 resource s,3 divisor q',
  ConfigMapKeySelector: '1 - ^LocalObjectReference,2 key s,3 optional b?',
  SecretKeySelector: '1 - ^LocalObjectReference,2 key s,3 optional b?',
  EnvFromSource: '1 prefix s,2 configMapRef ConfigMapEnvSource,3 secretRef SecretEnvSource',
  ConfigMapEnvSource: '1 - ^LocalObjectReference,2 optional b?',
  SecretEnvSource: '1 - ^LocalObjectReference,2 optional b?',
  ResourceRequirements: '1 limits mq,2 requests mq,3 claims []ResourceClaim',
  ResourceClaim: '1 name s,2 request s',
  VolumeMount: '1 name s,2 readOnly b,3 mountPath s,4 subPath s,5 mountPropagation s?,6 subPathExpr s,7 recursiveReadOnly s?',
  Volume: '1 name s,2 - ^VolumeSource',
  VolumeSource: '1 hostPath HostPathVolumeSource,2 emptyDir EmptyDirVolumeSource,6 secret SecretVolumeSource,10 persistentVolumeClaim PersistentVolumeClaimVolumeSource,16 downwardAPI DownwardAPIVolumeSource,19 configMap ConfigMapVolumeSource,26 projected ProjectedVolumeSource',
  HostPathVolumeSource: '1 path s,2 type s?',
  EmptyDirVolumeSource: '1 medium s,2 sizeLimit q?',
  SecretVolumeSource: '1 secretName s,2 items []KeyToPath,3 defaultMode i?,4 optional b?',
  ConfigMapVolumeSource: '1 - ^LocalObjectReference,2 items []KeyToPath,3 defaultMode i?,4 optional b?',
  KeyToPath: '1 key s,2 path s,3 mode i?',
  PersistentVolumeClaimVolumeSource: '1 claimName s,2 readOnly b',
  DownwardAPIVolumeSource: '1 items []DownwardAPIVolumeFile,2 defaultMode i?',
  DownwardAPIVolumeFile: '1 path s,2 fieldRef ObjectFieldSelector,3 resourceFieldRef ResourceFieldSelector,4 mode i?',
  ProjectedVolumeSource: '1 sources []VolumeProjection,2 defaultMode i?',
  VolumeProjection: '1 secret SecretProjection,2 downwardAPI DownwardAPIProjection,3 configMap ConfigMapProjection,4 serviceAccountToken ServiceAccountTokenProjection',
  SecretProjection: '1 - ^LocalObjectReference,2 items []KeyToPath,4 optional b?',
  ConfigMapProjection: '1 - ^LocalObjectReference,2 items []KeyToPath,4 optional b?',
  DownwardAPIProjection: '1 items []DownwardAPIVolumeFile',
  ServiceAccountTokenProjection: '1 audience s,2 expirationSeconds i?,3 path s',
  Probe: '1 - ^ProbeHandler,2 initialDelaySeconds i,3 timeoutSeconds i,4 periodSeconds i,5 successThreshold i,6 failureThreshold i,7 terminationGracePeriodSeconds i?',
  ProbeHandler: '1 exec ExecAction,2 httpGet HTTPGetAction,3 tcpSocket TCPSocketAction,4 grpc GRPCAction',
  ExecAction: '1 command []s',
  HTTPGetAction: '1 path s,2 port x,3 host s,4 scheme s,5 httpHeaders []HTTPHeader',
  HTTPHeader: '1 name s,2 value s',
  TCPSocketAction: '1 port x,2 host s',
  GRPCAction: '1 port i,2 service s?',
  Lifecycle: '1 postStart LifecycleHandler,2 preStop LifecycleHandler',
  LifecycleHandler: '1 exec ExecAction,2 httpGet HTTPGetAction,3 tcpSocket TCPSocketAction,4 sleep SleepAction',
  SleepAction: '1 seconds i',
  SecurityContext: '1 capabilities Capabilities,2 privileged b?,4 runAsUser i?,5 runAsNonRoot b?,6 readOnlyRootFilesystem b?,7 allowPrivilegeEscalation b?,8 runAsGroup i?,9 procMount s?,11 seccompProfile SeccompProfile',
  Capabilities: '1 add []s,2 drop []s',
  SeccompProfile: '1 type s,2 localhostProfile s?',
  PodSecurityContext: '2 runAsUser i?,3 runAsNonRoot b?,4 supplementalGroups []i,5 fsGroup i?,6 runAsGroup i?,7 sysctls []Sysctl,9 fsGroupChangePolicy s?,10 seccompProfile SeccompProfile,12 supplementalGroupsPolicy s?',
  Sysctl: '1 name s,2 value s',
  Toleration: '1 key s,2 operator s,3 value s,4 effect s,5 tolerationSeconds i?',
  HostAlias: '1 ip s,2 hostnames []s',
  PodDNSConfig: '1 nameservers []s,2 searches []s,3 options []PodDNSConfigOption',
  PodDNSConfigOption: '1 name s,2 value s?',
  PodReadinessGate: '1 conditionType s',
  Affinity: '1 nodeAffinity NodeAffinity,2 podAffinity PodAffinity,3 podAntiAffinity PodAffinity',
  NodeAffinity: '1 requiredDuringSchedulingIgnoredDuringExecution NodeSelector,2 preferredDuringSchedulingIgnoredDuringExecution []PreferredSchedulingTerm',
  NodeSelector: '1 nodeSelectorTerms []NodeSelectorTerm',
  NodeSelectorTerm: '1 matchExpressions []NodeSelectorRequirement,2 matchFields []NodeSelectorRequirement',
  NodeSelectorRequirement: '1 key s,2 operator s,3 values []s',
  PreferredSchedulingTerm: '1 weight i,2 preference NodeSelectorTerm',
  PodAffinity: '1 requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm,2 preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm',
  PodAffinityTerm: '1 labelSelector LabelSelector,2 namespaces []s,3 topologyKey s,4 namespaceSelector LabelSelector,5 matchLabelKeys []s,6 mismatchLabelKeys []s',
  WeightedPodAffinityTerm: '1 weight i,2 podAffinityTerm PodAffinityTerm',
  TopologySpreadConstraint: '1 maxSkew i,2 topologyKey s,3 whenUnsatisfiable s,4 labelSelector LabelSelector,5 minDomains i?,6 nodeAffinityPolicy s?,7 nodeTaintsPolicy s?,8 matchLabelKeys []s',
  PodOS: '1 name s',
  PodSchedulingGate: '1 name s',
  ContainerResizePolicy: '1 resourceName s,2 restartPolicy s',

  Deployment: '1 metadata ObjectMeta,2 spec DeploymentSpec',
  DeploymentSpec: '1 replicas i?,2 selector LabelSelector,3 template PodTemplateSpec,4 strategy DeploymentStrategy,5 minReadySeconds i,6 revisionHistoryLimit i?,7 paused b,9 progressDeadlineSeconds i?',
  DeploymentStrategy: '1 type s,2 rollingUpdate RollingUpdateDeployment',
  RollingUpdateDeployment: '1 maxUnavailable x?,2 maxSurge x?',
  Job: '1 metadata ObjectMeta,2 spec JobSpec',
  JobSpec: '1 parallelism i?,2 completions i?,3 activeDeadlineSeconds i?,4 selector LabelSelector,5 manualSelector b?,6 template PodTemplateSpec,7 backoffLimit i?,8 ttlSecondsAfterFinished i?,9 completionMode s?,10 suspend b?,12 backoffLimitPerIndex i?,13 maxFailedIndexes i?,14 podReplacementPolicy s?,15 managedBy s?',
  JobTemplateSpec: '1 metadata ObjectMeta,2 spec JobSpec',
  CronJob: '1 metadata ObjectMeta,2 spec CronJobSpec',
  CronJobSpec: '1 schedule s,2 startingDeadlineSeconds i?,3 concurrencyPolicy s,4 suspend b?,5 jobTemplate JobTemplateSpec,6 successfulJobsHistoryLimit i?,7 failedJobsHistoryLimit i?,8 timeZone s?',
  PodDisruptionBudget: '1 metadata ObjectMeta,2 spec PodDisruptionBudgetSpec',
  PodDisruptionBudgetSpec: '1 minAvailable x?,2 selector LabelSelector,3 maxUnavailable x?,4 unhealthyPodEvictionPolicy s?',

  // rbac.authorization.k8s.io/v1 (kubectl create role, clusterrole, rolebinding, clusterrolebinding)
  Role: '1 metadata ObjectMeta,2 rules []PolicyRule',
  ClusterRole: '1 metadata ObjectMeta,2 rules []PolicyRule,3 aggregationRule AggregationRule',
  PolicyRule: '1 verbs []s,2 apiGroups []s,3 resources []s,4 resourceNames []s,5 nonResourceURLs []s',
  AggregationRule: '1 clusterRoleSelectors []LabelSelector',
  RoleBinding: '1 metadata ObjectMeta,2 subjects []Subject,3 roleRef RoleRef',
  ClusterRoleBinding: '1 metadata ObjectMeta,2 subjects []Subject,3 roleRef RoleRef',
  Subject: '1 kind s,2 apiGroup s,3 name s,4 namespace s',
  RoleRef: '1 apiGroup s,2 kind s,3 name s',

  // the review APIs (kubectl auth whoami, auth can-i): their specs; the server fills the status
  SelfSubjectReview: '1 metadata ObjectMeta',
  SelfSubjectAccessReview: '1 metadata ObjectMeta,2 spec SelfSubjectAccessReviewSpec',
  SelfSubjectAccessReviewSpec: '1 resourceAttributes ResourceAttributes,2 nonResourceAttributes NonResourceAttributes',
  ResourceAttributes: '1 namespace s,2 verb s,3 group s,4 version s,5 resource s,6 subresource s,7 name s',
  NonResourceAttributes: '1 path s,2 verb s',
  SelfSubjectRulesReview: '1 metadata ObjectMeta,2 spec SelfSubjectRulesReviewSpec',
  SelfSubjectRulesReviewSpec: '1 namespace s',
  SubjectAccessReview: '1 metadata ObjectMeta,2 spec SubjectAccessReviewSpec',
  LocalSubjectAccessReview: '1 metadata ObjectMeta,2 spec SubjectAccessReviewSpec',
  SubjectAccessReviewSpec: '1 resourceAttributes ResourceAttributes,2 nonResourceAttributes NonResourceAttributes,3 user s,4 groups []s,6 uid s',
};

/** The kinds whose protobuf bodies are decoded as whole objects. */
const OBJECT_KINDS = new Set([
  'Namespace', 'ConfigMap', 'Secret', 'ServiceAccount', 'Service', 'Pod', 'Deployment', 'Job', 'CronJob', 'PodDisruptionBudget',
  'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding',
  'SelfSubjectReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview', 'LocalSubjectAccessReview',
]);

interface FieldSpec {
  name: string;
  type: string;
  repeated: boolean;
  pointer: boolean;
  inline: boolean;
}

const SCHEMA = new Map<string, Map<number, FieldSpec>>();
for (const [msg, spec] of Object.entries(MESSAGES)) {
  const m = new Map<number, FieldSpec>();
  for (const entry of spec.split(',')) {
    const [no, name, t] = entry.trim().split(' ');
    let type = t;
    const repeated = type.startsWith('[]');
    if (repeated) type = type.slice(2);
    const inline = type.startsWith('^');
    if (inline) type = type.slice(1);
    const pointer = type.endsWith('?');
    if (pointer) type = type.slice(0, -1);
    m.set(Number(no), { name, type, repeated, pointer, inline });
  }
  SCHEMA.set(msg, m);
}

const isZero = (v: unknown) => v === '' || v === 0 || v === false;

function timeOf(buf: Buffer): string | undefined {
  let seconds = 0;
  for (const f of fields(buf)) if (f.no === 1) seconds = int64(f, 'Time.seconds');
  if (seconds === 0) return undefined; // the zero Time is null in JSON
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

function quantityOf(buf: Buffer): string {
  let q = '';
  for (const f of fields(buf)) if (f.no === 1) q = str(f, 'Quantity.string');
  return q;
}

function intOrStringOf(buf: Buffer): number | string {
  let type = 0, intVal = 0, strVal = '';
  for (const f of fields(buf)) {
    if (f.no === 1) type = int64(f, 'IntOrString.type');
    else if (f.no === 2) intVal = int64(f, 'IntOrString.intVal');
    else if (f.no === 3) strVal = str(f, 'IntOrString.strVal');
  }
  return type === 1 ? strVal : intVal;
}

/** One value of a field that is not a map; packed repeated varints come back as several. */
function scalarValues(spec: FieldSpec, f: Field, what: string): unknown[] {
  switch (spec.type) {
    case 's': return [str(f, what)];
    case 'y': return [bytes(f, what).toString('base64')];
    case 'i':
    case 'b': {
      if (f.wire === 2 && spec.repeated) {
        const out: unknown[] = [];
        for (const v of packedVarints(f.bytes)) out.push(spec.type === 'b' ? v !== 0n : Number(BigInt.asIntN(64, v)));
        return out;
      }
      return [spec.type === 'b' ? bool(f, what) : int64(f, what)];
    }
    case 't': return [timeOf(bytes(f, what))];
    case 'q': return [quantityOf(bytes(f, what))];
    case 'x': return [intOrStringOf(bytes(f, what))];
    default: return [decodeMessage(spec.type, bytes(f, what))];
  }
}

function* packedVarints(buf: Buffer): Generator<bigint> {
  let pos = 0;
  while (pos < buf.length) {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= buf.length || shift >= 70n) throw new Error('protobuf: bad packed varint');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    yield BigInt.asUintN(64, result);
  }
}

/** A message described in MESSAGES, as its JSON form. */
function decodeMessage(name: string, buf: Buffer): Record<string, unknown> {
  const schema = SCHEMA.get(name);
  const out: Record<string, unknown> = {};
  if (!schema) return out;
  for (const f of fields(buf)) {
    const spec = schema.get(f.no);
    if (!spec) continue;
    const what = `${name}.${spec.name}`;
    if (spec.type.startsWith('m') && spec.type.length === 2) {
      let key = '';
      let value: unknown = '';
      for (const e of fields(bytes(f, what))) {
        if (e.no === 1) key = str(e, `${what} key`);
        else if (e.no === 2) value = spec.type === 'ms' ? str(e, `${what} value`) : spec.type === 'my' ? bytes(e, `${what} value`).toString('base64') : quantityOf(bytes(e, `${what} value`));
      }
      ((out[spec.name] ??= {}) as Record<string, unknown>)[key] = value;
      continue;
    }
    const values = scalarValues(spec, f, what);
    if (spec.inline) {
      for (const v of values) Object.assign(out, v);
    } else if (spec.repeated) {
      (out[spec.name] = (out[spec.name] as unknown[] | undefined) ?? []).push(...values);
    } else {
      const v = values[0];
      if (v === undefined || (!spec.pointer && isZero(v))) continue;
      out[spec.name] = v;
    }
  }
  return out;
}
