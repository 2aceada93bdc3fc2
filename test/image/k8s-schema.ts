/**
 * The Kubernetes object fields docs/kubernetes.md uses, with their types: a hand-written subset of
 * the core/v1 (Pod, Service), apps/v1 (StatefulSet) and batch/v1 (Job) schemas. An unknown field is
 * an error: the scale-down controller decodes its annotation with Go's JSON decoder, which drops
 * unknown (e.g. misspelt) fields without a word, so a typo would silently lose a setting.
 */

export type Field =
  | 'string'
  | 'integer'
  | 'boolean'
  /** resource.Quantity: "100m", "256Mi", 2 */
  | 'quantity'
  /** IntOrString, e.g. a targetPort */
  | 'intOrString'
  | { enum: string[] }
  | { map: Field }
  | { list: Field }
  | Obj;

export interface Obj {
  fields: Record<string, Field>;
  required?: string[];
}

const str = 'string' as const;
const int = 'integer' as const;
const bool = 'boolean' as const;
const strings: Field = { list: str };
const stringMap: Field = { map: str };

const objectMeta: Obj = { fields: { name: str, namespace: str, generateName: str, labels: stringMap, annotations: stringMap } };
const labelSelector: Obj = {
  fields: { matchLabels: stringMap, matchExpressions: { list: { fields: { key: str, operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }, values: strings }, required: ['key', 'operator'] } } },
};
const keyRef: Obj = { fields: { name: str, key: str, optional: bool }, required: ['key'] };
const envVar: Obj = {
  fields: {
    name: str,
    value: str,
    valueFrom: {
      fields: {
        fieldRef: { fields: { apiVersion: str, fieldPath: str }, required: ['fieldPath'] },
        resourceFieldRef: { fields: { containerName: str, resource: str, divisor: 'quantity' }, required: ['resource'] },
        secretKeyRef: keyRef,
        configMapKeyRef: keyRef,
      },
    },
  },
  required: ['name'],
};
const seccompProfile: Obj = { fields: { type: { enum: ['RuntimeDefault', 'Localhost', 'Unconfined'] }, localhostProfile: str }, required: ['type'] };
const securityContext: Obj = {
  fields: {
    allowPrivilegeEscalation: bool,
    readOnlyRootFilesystem: bool,
    runAsNonRoot: bool,
    runAsUser: int,
    runAsGroup: int,
    privileged: bool,
    capabilities: { fields: { add: strings, drop: strings } },
    seccompProfile,
  },
};
const podSecurityContext: Obj = {
  fields: {
    runAsNonRoot: bool,
    runAsUser: int,
    runAsGroup: int,
    fsGroup: int,
    fsGroupChangePolicy: { enum: ['Always', 'OnRootMismatch'] },
    supplementalGroups: { list: int },
    seccompProfile,
  },
};
const container: Obj = {
  fields: {
    name: str,
    image: str,
    imagePullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
    command: strings,
    args: strings,
    workingDir: str,
    env: { list: envVar },
    envFrom: { list: { fields: { prefix: str, secretRef: { fields: { name: str, optional: bool } }, configMapRef: { fields: { name: str, optional: bool } } } } },
    ports: { list: { fields: { name: str, containerPort: int, protocol: { enum: ['TCP', 'UDP', 'SCTP'] } }, required: ['containerPort'] } },
    volumeMounts: { list: { fields: { name: str, mountPath: str, readOnly: bool, subPath: str }, required: ['name', 'mountPath'] } },
    resources: { fields: { requests: { map: 'quantity' }, limits: { map: 'quantity' } } },
    securityContext,
    terminationMessagePath: str,
    terminationMessagePolicy: { enum: ['File', 'FallbackToLogsOnError'] },
  },
  required: ['name'],
};
const nodeSelectorTerm: Obj = {
  fields: {
    matchExpressions: { list: { fields: { key: str, operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] }, values: strings }, required: ['key', 'operator'] } },
  },
};
const affinity: Obj = {
  fields: {
    nodeAffinity: {
      fields: {
        requiredDuringSchedulingIgnoredDuringExecution: { fields: { nodeSelectorTerms: { list: nodeSelectorTerm } }, required: ['nodeSelectorTerms'] },
        preferredDuringSchedulingIgnoredDuringExecution: { list: { fields: { weight: int, preference: nodeSelectorTerm }, required: ['weight', 'preference'] } },
      },
    },
  },
};
const volume: Obj = {
  fields: {
    name: str,
    persistentVolumeClaim: { fields: { claimName: str, readOnly: bool }, required: ['claimName'] },
    secret: { fields: { secretName: str, optional: bool, defaultMode: int, items: { list: { fields: { key: str, path: str, mode: int }, required: ['key', 'path'] } } } },
    emptyDir: { fields: { medium: str, sizeLimit: 'quantity' } },
  },
  required: ['name'],
};
export const podSpec: Obj = {
  fields: {
    containers: { list: container },
    restartPolicy: { enum: ['Always', 'OnFailure', 'Never'] },
    terminationGracePeriodSeconds: int,
    activeDeadlineSeconds: int,
    automountServiceAccountToken: bool,
    serviceAccountName: str,
    securityContext: podSecurityContext,
    nodeSelector: stringMap,
    tolerations: {
      list: {
        fields: {
          key: str,
          operator: { enum: ['Exists', 'Equal'] },
          value: str,
          effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
          tolerationSeconds: int,
        },
      },
    },
    affinity,
    volumes: { list: volume },
    imagePullSecrets: { list: { fields: { name: str } } },
    priorityClassName: str,
  },
  required: ['containers'],
};
const podTemplateSpec: Obj = { fields: { metadata: objectMeta, spec: podSpec } };

/** A Pod as the scale-down controller reads it from the annotation (apiVersion/kind optional). */
export const pod: Obj = { fields: { apiVersion: str, kind: str, metadata: objectMeta, spec: podSpec }, required: ['spec'] };

/** Top-level documents by apiVersion/kind. */
export const KINDS: Record<string, Obj> = {
  'v1/Pod': pod,
  'v1/Service': {
    fields: {
      apiVersion: str,
      kind: str,
      metadata: objectMeta,
      spec: {
        fields: {
          type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] },
          clusterIP: str,
          selector: stringMap,
          publishNotReadyAddresses: bool,
          ports: { list: { fields: { name: str, port: int, targetPort: 'intOrString', protocol: { enum: ['TCP', 'UDP', 'SCTP'] } }, required: ['port'] } },
        },
      },
    },
    required: ['metadata', 'spec'],
  },
  'apps/v1/StatefulSet': {
    fields: {
      apiVersion: str,
      kind: str,
      metadata: objectMeta,
      spec: {
        fields: {
          serviceName: str,
          replicas: int,
          podManagementPolicy: { enum: ['OrderedReady', 'Parallel'] },
          selector: labelSelector,
          template: podTemplateSpec,
          volumeClaimTemplates: {
            list: {
              fields: {
                metadata: objectMeta,
                spec: {
                  fields: {
                    accessModes: { list: { enum: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] } },
                    storageClassName: str,
                    resources: { fields: { requests: { map: 'quantity' } } },
                  },
                },
              },
            },
          },
        },
        required: ['selector', 'template', 'serviceName'],
      },
    },
    required: ['metadata', 'spec'],
  },
  'batch/v1/Job': {
    fields: {
      apiVersion: str,
      kind: str,
      metadata: objectMeta,
      spec: { fields: { backoffLimit: int, activeDeadlineSeconds: int, ttlSecondsAfterFinished: int, template: podTemplateSpec }, required: ['template'] },
    },
    required: ['metadata', 'spec'],
  },
};

const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Every way `value` departs from `type`, as "path: problem" lines. */
export function validate(value: unknown, type: Field, path: string): string[] {
  const out: string[] = [];
  const bad = (what: string) => out.push(`${path}: ${what} (got ${JSON.stringify(value)})`);
  if (type === 'string') {
    if (typeof value !== 'string') bad('expected a string');
  } else if (type === 'integer') {
    if (!Number.isInteger(value)) bad('expected an integer');
  } else if (type === 'boolean') {
    if (typeof value !== 'boolean') bad('expected a boolean');
  } else if (type === 'quantity') {
    if (!(typeof value === 'number' || (typeof value === 'string' && QUANTITY.test(value)))) bad('expected a quantity');
  } else if (type === 'intOrString') {
    if (!(Number.isInteger(value) || typeof value === 'string')) bad('expected an integer or a string');
  } else if ('enum' in type) {
    if (typeof value !== 'string' || !type.enum.includes(value)) bad(`expected one of ${type.enum.join(', ')}`);
  } else if ('map' in type) {
    if (!isObject(value)) bad('expected a map');
    else for (const [k, v] of Object.entries(value)) out.push(...validate(v, type.map, `${path}.${k}`));
  } else if ('list' in type) {
    if (!Array.isArray(value)) bad('expected a list');
    else value.forEach((v, i) => out.push(...validate(v, type.list, `${path}[${i}]`)));
  } else {
    if (!isObject(value)) bad('expected an object');
    else {
      for (const [k, v] of Object.entries(value)) {
        const f = type.fields[k];
        if (!f) out.push(`${path}.${k}: unknown field`);
        else out.push(...validate(v, f, `${path}.${k}`));
      }
      for (const r of type.required ?? []) if (!(r in value)) out.push(`${path}.${r}: required`);
      // Names Kubernetes constrains, where the docs use them.
      if (type === container && typeof value.name === 'string' && !DNS_LABEL.test(value.name)) bad('container name is not a DNS label');
      if (type === envVar && typeof value.name === 'string' && !ENV_NAME.test(value.name)) bad('not a valid environment variable name');
      if (type === envVar && 'value' in value && 'valueFrom' in value) bad('value and valueFrom are exclusive');
    }
  }
  return out;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
