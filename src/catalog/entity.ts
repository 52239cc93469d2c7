/**
 * The entity envelope (apiVersion, kind, metadata, spec) and the checks Switchboard applies at ingest.
 * Unknown kinds and extra fields are kept as written; only the fields Switchboard reads are checked,
 * so a descriptor Backstage accepts is not refused here for a field we do not use.
 */
import { z } from 'zod';
import { scheduleSpecSchema } from './oncall.js';

const NAME = /^[a-zA-Z0-9]+([-_.][a-zA-Z0-9]+)*$/;
const NAMESPACE = /^[a-z0-9]+(-[a-z0-9]+)*$/i;
const KIND = /^[a-zA-Z][a-zA-Z0-9]*$/;
const API_VERSION = /^[a-zA-Z0-9]+([-.][a-zA-Z0-9]+)*\/[a-zA-Z0-9]+$/;

export const LINK_TYPES = ['docs', 'repo', 'dashboard', 'runbook', 'other'] as const;

const linkSchema = z.looseObject({
  url: z.string().min(1),
  title: z.string().optional(),
  icon: z.string().optional(),
  type: z.string().optional(),
});

const metadataSchema = z.looseObject({
  name: z
    .string({ error: 'is required and must be a string' })
    .max(63, 'must be at most 63 characters')
    .regex(NAME, 'must be letters and digits separated by single "-", "_" or "."'),
  namespace: z.string().max(63).regex(NAMESPACE, 'must be lower-case letters and digits separated by "-"').optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string({ error: 'annotation values must be strings' })).optional(),
  tags: z.array(z.string()).optional(),
  links: z.array(linkSchema).optional(),
});

export const envelopeSchema = z.looseObject({
  apiVersion: z.string({ error: 'is required' }).regex(API_VERSION, 'must look like "group/version"'),
  kind: z.string({ error: 'is required' }).regex(KIND, 'must be a word such as Component'),
  metadata: metadataSchema,
  spec: z.looseObject({}).optional(),
});

export type Entity = z.infer<typeof envelopeSchema>;

const ref = z.string().min(1, 'must not be empty');
const refs = z.array(ref);
const profile = z.looseObject({
  displayName: z.string().optional(),
  email: z.string().optional(),
  picture: z.string().optional(),
});

/**
 * Per-kind checks of the spec fields Switchboard derives relations or answers from. Backstage makes
 * spec.owner required on Components; here it may be omitted, because CODEOWNERS or the System can
 * supply it (see docs/catalog-format.md).
 */
const specSchemas: Record<string, z.ZodType> = {
  component: z.looseObject({
    type: z.string({ error: 'is required' }),
    lifecycle: z.string({ error: 'is required' }),
    owner: ref.optional(),
    system: ref.optional(),
    subcomponentOf: ref.optional(),
    providesApis: refs.optional(),
    consumesApis: refs.optional(),
    dependsOn: refs.optional(),
    dependencyOf: refs.optional(),
  }),
  api: z.looseObject({
    type: z.string({ error: 'is required' }),
    lifecycle: z.string({ error: 'is required' }),
    owner: ref.optional(),
    system: ref.optional(),
  }),
  resource: z.looseObject({
    type: z.string({ error: 'is required' }),
    owner: ref.optional(),
    system: ref.optional(),
    dependsOn: refs.optional(),
    dependencyOf: refs.optional(),
  }),
  system: z.looseObject({ owner: ref.optional(), domain: ref.optional() }),
  domain: z.looseObject({ owner: ref.optional(), subdomainOf: ref.optional() }),
  group: z.looseObject({
    type: z.string({ error: 'is required' }),
    profile: profile.optional(),
    parent: ref.optional(),
    children: refs.optional(),
    members: refs.optional(),
  }),
  user: z.looseObject({ profile: profile.optional(), memberOf: refs.optional() }),
  location: z
    .looseObject({ type: z.string().optional(), target: z.string().optional(), targets: z.array(z.string()).optional() })
    .refine((s) => s.target !== undefined || s.targets !== undefined, 'needs spec.target or spec.targets'),
  template: z.looseObject({ owner: ref.optional(), type: z.string().optional() }),
  schedule: scheduleSpecSchema,
};

export interface EntityIssue {
  /** Dotted path into the document, e.g. `spec.owner` or `metadata.name`. */
  path: string;
  message: string;
}

export type ValidationResult = { ok: true; entity: Entity } | { ok: false; issues: EntityIssue[] };

function toIssues(error: z.ZodError, prefix: string): EntityIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))].filter(Boolean).join('.').replace(/\.\[/g, '['),
    message: issue.message,
  }));
}

/** Validates one parsed YAML document as an entity. */
export function validateEntity(doc: unknown): ValidationResult {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { ok: false, issues: [{ path: '', message: 'document is not a mapping (expected apiVersion, kind, metadata)' }] };
  }
  const envelope = envelopeSchema.safeParse(doc);
  if (!envelope.success) return { ok: false, issues: toIssues(envelope.error, '') };
  const entity = envelope.data;
  const specSchema = specSchemas[entity.kind.toLowerCase()];
  if (specSchema) {
    const spec = specSchema.safeParse(entity.spec ?? {});
    if (!spec.success) return { ok: false, issues: toIssues(spec.error, 'spec') };
  }
  return { ok: true, entity };
}

export function annotation(entity: Entity, key: string): string | undefined {
  const value = entity.metadata.annotations?.[key];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function specField<T = unknown>(entity: Entity, field: string): T | undefined {
  return (entity.spec as Record<string, unknown> | undefined)?.[field] as T | undefined;
}

/** The annotations Switchboard adds to the Backstage format (docs/catalog-format.md). */
export const ANNOTATIONS = {
  runbook: 'switchboard.dev/runbook',
  aliases: 'switchboard.dev/aliases',
  oncallSchedule: 'switchboard.dev/oncall-schedule',
  slackChannel: 'switchboard.dev/slack-channel',
  /** A Group's Teams channel, by conversation id (`19:…@thread.tacv2`): where its asks and digest go. */
  teamsChannel: 'switchboard.dev/teams-channel',
  slackUserId: 'switchboard.dev/slack-user-id',
  /** Written by Backstage's Microsoft Graph org provider: the Entra ID object id, which Teams reports. */
  teamsUserId: 'graph.microsoft.com/user-id',
} as const;

/** The annotation that names a User's account on each chat platform (ChatIds). */
export const CHAT_ID_ANNOTATIONS = { slack: ANNOTATIONS.slackUserId, teams: ANNOTATIONS.teamsUserId } as const;

export function aliasesOf(entity: Entity): string[] {
  return (annotation(entity, ANNOTATIONS.aliases) ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
}
