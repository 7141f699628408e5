/**
 * The review APIs: questions answered from who is asking and what RBAC says, stored nowhere
 * (201 with the object sent, its status filled in).
 * - authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`): the user as the
 *   apiserver sees it, after impersonation.
 * - authorization.k8s.io/v1 SelfSubjectAccessReview (`kubectl auth can-i VERB RESOURCE`),
 *   SelfSubjectRulesReview (`kubectl auth can-i --list`: every rule that applies in a namespace,
 *   `incomplete: false`), and for those allowed to create them (cluster-admin; admin for the
 *   local one), SubjectAccessReview and LocalSubjectAccessReview about anyone.
 */
import { ApiError, badRequest } from './errors.js';
import type { RequestInfo } from './faults.js';
import type { Authorizer } from './rbac.js';
import type { UserInfo } from './auth.js';

function invalidReview(kind: string, group: string, errs: { field: string; message: string }[]): ApiError {
  const text = errs.map((e) => `${e.field}: ${e.message}`);
  return new ApiError(422, 'Invalid', `${kind}.${group} "" is invalid: ${text.length === 1 ? text[0] : `[${text.join(', ')}]`}`, {
    group, kind, causes: errs.map((e) => ({ reason: 'FieldValueInvalid', message: e.message, field: e.field })),
  });
}

/** The attributes a review asks about, as a request RBAC can judge. */
function attributesOf(spec: any, path: string): RequestInfo {
  const ra = spec.resourceAttributes;
  if (ra) {
    return {
      resource: true, verb: ra.verb ?? '', path, group: ra.group ?? '', apiVersion: ra.version ?? '', plural: ra.resource ?? '',
      ...(ra.subresource ? { sub: ra.subresource } : {}), ...(ra.namespace ? { ns: ra.namespace } : {}), ...(ra.name ? { name: ra.name } : {}),
    };
  }
  const nra = spec.nonResourceAttributes ?? {};
  return { resource: false, verb: nra.verb ?? '', path: nra.path ?? '' };
}

function checkAttributes(kind: string, group: string, spec: any, subjectToo: boolean): void {
  const errs: { field: string; message: string }[] = [];
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    errs.push({ field: 'spec.nonResourceAttributes', message: `Invalid value: ${JSON.stringify(spec.nonResourceAttributes)}: cannot be specified in combination with resourceAttributes` });
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    errs.push({ field: 'spec.resourceAttributes', message: 'Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified' });
  }
  if (subjectToo && !spec.user && !(Array.isArray(spec.groups) && spec.groups.length)) {
    errs.push({ field: 'spec.user', message: 'Invalid value: "": at least one of user or group must be specified' });
  }
  if (errs.length) throw invalidReview(kind, group, errs);
}

function status(d: { allowed: boolean; reason: string }): Record<string, unknown> {
  return { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) };
}

/**
 * The answer to a review of `kind` posted by `user` (namespace: the URL's, for
 * LocalSubjectAccessReview).
 */
export function answerReview(kind: string, body: any, user: UserInfo, authorizer: Authorizer, namespace?: string): Record<string, unknown> {
  const group = kind === 'SelfSubjectReview' ? 'authentication.k8s.io' : 'authorization.k8s.io';
  if (body?.kind && body.kind !== kind) {
    throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${group}/v1)`);
  }
  const spec = body?.spec ?? {};
  const out = (extra: Record<string, unknown>) => ({
    kind, apiVersion: `${group}/v1`, metadata: { ...(body?.metadata ?? {}), creationTimestamp: null }, ...extra,
  });
  switch (kind) {
    case 'SelfSubjectReview':
      return out({
        status: {
          userInfo: {
            username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups,
            ...(user.extra && Object.keys(user.extra).length ? { extra: user.extra } : {}),
          },
        },
      });
    case 'SelfSubjectAccessReview': {
      checkAttributes(kind, group, spec, false);
      return out({ spec, status: status(authorizer.authorize(user, attributesOf(spec, ''))) });
    }
    case 'SelfSubjectRulesReview': {
      if (!spec.namespace) throw badRequest('no namespace on request');
      const r = authorizer.rulesFor(user, spec.namespace);
      return out({
        spec,
        status: {
          resourceRules: r.resourceRules, nonResourceRules: r.nonResourceRules, incomplete: false,
          ...(r.evaluationError ? { evaluationError: r.evaluationError } : {}),
        },
      });
    }
    case 'SubjectAccessReview':
    case 'LocalSubjectAccessReview': {
      checkAttributes(kind, group, spec, true);
      if (kind === 'LocalSubjectAccessReview') {
        if (spec.nonResourceAttributes) {
          throw invalidReview(kind, group, [{ field: 'spec.nonResourceAttributes', message: `Invalid value: ${JSON.stringify(spec.nonResourceAttributes)}: disallowed on this kind of request` }]);
        }
        if ((spec.resourceAttributes?.namespace ?? '') !== namespace) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
      }
      // the subject is judged as given: no system:authenticated is added for it
      const subject: UserInfo = {
        username: spec.user ?? '', groups: Array.isArray(spec.groups) ? spec.groups : [], ...(spec.uid ? { uid: spec.uid } : {}),
        ...(spec.extra ? { extra: spec.extra } : {}),
      };
      return out({ spec, status: status(authorizer.authorize(subject, attributesOf(spec, ''))) });
    }
    default:
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
}
