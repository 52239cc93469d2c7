/**
 * The I/O every self-service workflow needs, as Temporal activities: the audit trail, the chat
 * messages (status in the thread, approvers' DMs) and one executor per step kind. Built by a factory
 * so the composition root injects the catalog, the audit log, the chat notifiers and the settings.
 *
 * Steps are journaled: a step's result is recorded when its side effect is done, so when a worker dies
 * between the side effect and Temporal hearing of it, the retried activity returns the recorded result
 * instead of pushing, calling or creating a second time.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import yaml from 'js-yaml';
import type { ActionDefinition } from '../actions/definition.js';
import { catalogLookups, validateInputs } from '../actions/inputs.js';
import { renderTemplate, TemplateError } from '../actions/template.js';
import type { AuditEntryInput, AuditLog } from '../audit/index.js';
import { redact } from '../audit/redact.js';
import type { Catalog } from '../catalog/index.js';
import type { BotState } from '../state/index.js';
import {
  type AskKind,
  approvalCard,
  approvalClosedCard,
  type ChatNotifier,
  outcomeCard,
  statusCard,
} from '../conversation/request-cards.js';
import type { ActionStatus, InputValue, PersonRef } from '../../workflows/action.js';
import type { AskResult } from '../../workflows/reach.js';
import { CommandError, runCommand } from './command.js';
import { git } from './git.js';
import { redacting } from './redacting.js';
import { HookError, pollHook, postHook } from './webhook.js';

export interface StepContext {
  workflowId: string;
  action: string;
  step: { id: string; title: string; run: string; with: Record<string, unknown>; timeoutMs: number };
  values: Record<string, InputValue>;
  requester: PersonRef;
  /** The status message (or, before it exists, the conversation) of the request. */
  thread: string;
  /** Outputs of the steps done so far, by step id. */
  outputs: Record<string, Record<string, unknown>>;
  /** True when undoing the step. */
  compensating: boolean;
}

export interface StepResult {
  output?: Record<string, unknown>;
  links?: { title: string; url: string }[];
  /** A short note shown next to the step. */
  detail?: string;
  /** The step finishes when its webhook receiver calls back (the workflow waits for the signal). */
  awaitCallback?: boolean;
}

export interface SelfServiceDeps {
  catalog: Pick<Catalog, 'ingest' | 'whoOwns'>;
  /** The loaded action definitions, to check a request's inputs again before its steps run. */
  actions: ActionDefinition[];
  audit: Pick<AuditLog, 'append'>;
  journal: Pick<BotState, 'stepResult' | 'recordStep'>;
  /** Chat surfaces by the prefix of a thread ref (`slack`, `shell`). */
  notifiers: Record<string, ChatNotifier>;
  /** Golden-path templates (manifests/templates). */
  templatesDir: string;
  /** Where new repositories go when an action names no remote: a folder of bare repositories or a git URL prefix. */
  gitRemote: string;
  /** Descriptors registered by self-service; ingested with the catalog so they survive a restart. */
  registryDir: string;
  /** Scratch space for rendered templates, one folder per request. */
  workDir: string;
  /** Base URL webhook receivers call back (`<publicUrl>/api/callbacks/<workflow id>/<step>`). */
  publicUrl: string;
  /** The value of a secret environment variable named by an action (`secretEnv`). */
  secret(name: string): string | undefined;
  /** The Temporal UI link of a workflow, when a UI is known. */
  workflowUrl?(workflowId: string): string | undefined;
  /** Extra environment for `command` steps (PATH, credentials the operator chose to pass). */
  commandEnv?: Record<string, string>;
}

const fail = (message: string, type: string) => ApplicationFailure.nonRetryable(message, type);
const safeName = (id: string) => id.replace(/[^A-Za-z0-9._-]+/g, '_');
/** A folder of bare repositories, unless it reads as a git URL (`scheme://…` or scp-like `user@host:path`). */
const isLocal = (remote: string) => remote.startsWith('file://') || !(/^[a-z][a-z0-9+.-]*:\/\//i.test(remote) || /^[^/\s]+@[^/\s]+:/.test(remote));
const localPath = (remote: string) => resolve(remote.replace(/^file:\/\//, ''));
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** A chat error as people read it: its first line, bounded (Slack's `An API error occurred: user_disabled`). */
const firstLine = (err: unknown) => ((err as Error)?.message ?? String(err)).split('\n')[0]?.slice(0, 200) ?? 'unknown error';

/** Heartbeats when running as an activity; a no-op when called directly (tests of the executors). */
function heartbeat(detail: unknown): void {
  try {
    Context.current().heartbeat(detail);
  } catch {
    // Not inside an activity.
  }
}

function abortSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

export function createSelfServiceActivities(deps: SelfServiceDeps) {
  const notifier = (ref: string): ChatNotifier => {
    const platform = ref.split(':')[0] ?? '';
    const n = deps.notifiers[platform];
    if (!n) throw fail(`No chat surface for ${platform} in this worker (thread ${ref})`, 'NoChatSurface');
    return n;
  };
  const url = (status: ActionStatus) => deps.workflowUrl?.(status.workflowId);
  const renderDir = (ctx: StepContext) => join(deps.workDir, safeName(ctx.workflowId));

  const runId = () => {
    try {
      return Context.current().info.workflowExecution?.runId ?? 'no-run';
    } catch {
      return 'no-run'; // called outside an activity (unit tests)
    }
  };

  /** Runs a step once: a retry after its side effect was done returns the recorded result. */
  const once = async (ctx: StepContext, run: () => Promise<StepResult>): Promise<StepResult> => {
    // Keyed by run too: the next request with the same business key (a second rollback of a service)
    // is a new run whose steps must run again.
    const key = `${ctx.workflowId}/${runId()}/${ctx.step.id}${ctx.compensating ? '/undo' : ''}`;
    const recorded = deps.journal.stepResult(key) as StepResult | undefined;
    if (recorded !== undefined) return recorded;
    // Journaled as the history will keep it: the journal is on disk as long as the history.
    const result = redact(await run()) as StepResult;
    deps.journal.recordStep(key, result);
    return result;
  };

  /** Registers (or, with `content` null, removes) a descriptor and re-ingests the registry. */
  const register = async (relPath: string, content: string | null) => {
    const file = join(deps.registryDir, relPath);
    if (content === null) rmSync(file, { force: true });
    else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    const report = await deps.catalog.ingest([deps.registryDir]);
    const problems = report.problems.filter((p) => p.location.includes(relPath)).map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.message}`);
    if (problems.length) {
      rmSync(file, { force: true });
      await deps.catalog.ingest([deps.registryDir]);
      throw fail(`The descriptor does not ingest: ${problems.join('; ')}`, 'InvalidDescriptor');
    }
  };

  const webhookStep = async (ctx: StepContext): Promise<StepResult> => {
    const w = ctx.step.with;
    const hookUrl = str(w.url) as string;
    const secretName = str(w.secretEnv) as string;
    const secret = deps.secret(secretName);
    if (!secret) throw fail(`${secretName} is not set: the webhook secret for ${ctx.action} step ${ctx.step.id}`, 'MissingSecret');
    const idempotencyKey = `${ctx.workflowId}/${ctx.step.id}${ctx.compensating ? '/undo' : ''}`;
    const callback = w.callback === true;
    const body: Record<string, unknown> = {
      id: idempotencyKey,
      workflowId: ctx.workflowId,
      action: ctx.action,
      step: ctx.step.id,
      compensating: ctx.compensating,
      requester: ctx.requester.ref,
      inputs: ctx.values,
      outputs: ctx.outputs,
      // Bound to this run (signed with it): a later request with the same id hands out a new URL.
      ...(callback && { callbackUrl: `${deps.publicUrl.replace(/\/$/, '')}/api/callbacks/${encodeURIComponent(ctx.workflowId)}/${encodeURIComponent(ctx.step.id)}?run=${encodeURIComponent(runId())}` }),
    };
    try {
      const posted = await postHook({ url: hookUrl, secret, body, idempotencyKey });
      if (posted.outcome !== 'accepted') {
        if (posted.outcome.status === 'failed') throw fail(posted.outcome.message ?? `${hookUrl} reported a failure`, 'StepFailed');
        return { output: posted.outcome.output ?? {}, ...(posted.outcome.message && { detail: posted.outcome.message }) };
      }
      if (callback) return { awaitCallback: true };
      const pollUrl = str(w.pollUrl);
      if (!pollUrl) return {};
      const outcome = await pollHook({
        url: pollUrl,
        secret,
        idempotencyKey,
        everyMs: typeof w.pollEvery === 'number' ? w.pollEvery : 10_000,
        timeoutMs: ctx.step.timeoutMs,
        heartbeat,
        signal: abortSignal(),
      });
      if (outcome.status === 'failed') throw fail(outcome.message ?? `${pollUrl} reported a failure`, 'StepFailed');
      return { output: outcome.output ?? {}, ...(outcome.message && { detail: outcome.message }) };
    } catch (err) {
      if (err instanceof HookError && !err.retryable) throw fail(err.message, 'WebhookRefused');
      throw err;
    }
  };

  // Results, failures and what is posted to chat leave redacted (./redacting.ts): they are kept in
  // the workflow history, which the Temporal UI shows.
  return redacting({
    async appendAudit(entry: AuditEntryInput): Promise<number> {
      return deps.audit.append(entry).seq;
    },

    /** Problems with the inputs against today's catalog; empty when they still hold. */
    async checkInputs(action: string, values: Record<string, InputValue>): Promise<string[]> {
      const definition = deps.actions.find((a) => a.metadata.name === action);
      if (!definition) return [`this worker has no action ${action}`];
      const checked = validateInputs(definition, values, catalogLookups(deps.catalog));
      return checked.ok ? [] : checked.errors.map((e) => `${e.input} ${e.message}`);
    },

    // --- chat ------------------------------------------------------------------------------------

    /** Posts the status message where the request was made; returns its ref. */
    async openThread(where: string, status: ActionStatus): Promise<string> {
      const n = notifier(where);
      const card = statusCard(status, url(status));
      try {
        return await n.post(where, card);
      } catch (err) {
        // A private channel the bot is not in, an archived one: the requester gets the status in a DM.
        const dm = await n.dm(status.requester, card).catch(() => null);
        if (dm) return dm;
        throw err;
      }
    },
    async editStatus(message: string, status: ActionStatus): Promise<void> {
      await notifier(message).edit(message, statusCard(status, url(status)));
    },
    async postOutcome(message: string, status: ActionStatus): Promise<void> {
      await notifier(message).reply(message, outcomeCard(status, url(status)));
    },
    /**
     * DMs each person the request with Approve / Reject; answers person by person: the DM's ref, or why
     * there is none (no account on the platform, the DM refused), so the workflow can tell the requester.
     */
    async askApprovers(status: ActionStatus, people: PersonRef[], kind: AskKind, where: string): Promise<AskResult[]> {
      const platform = where.split(':')[0] ?? '';
      const n = deps.notifiers[platform];
      const base = (p: PersonRef) => ({ ref: p.ref, displayName: p.displayName });
      const surface = ({ slack: 'Slack', teams: 'Microsoft Teams', shell: 'terminal' } as Record<string, string>)[platform] ?? platform;
      if (!n) return people.map((p) => ({ ...base(p), dm: null, reason: `this worker has no ${surface} chat surface to DM them`, code: 'no-surface' }));
      const card = approvalCard(status, kind, url(status));
      return Promise.all(
        people.map(async (p): Promise<AskResult> => {
          try {
            const dm = await n.dm(p, card);
            return dm ? { ...base(p), dm } : { ...base(p), dm: null, reason: `no ${surface} account is linked to them in the catalog (chat id or e-mail)`, code: 'no-account' };
          } catch (err) {
            return { ...base(p), dm: null, reason: `the DM failed: ${firstLine(err)}`, code: 'dm-failed' };
          }
        }),
      );
    },
    /** Edits every approver's DM to the outcome and who decided. */
    async closeApprovals(dms: string[], status: ActionStatus): Promise<void> {
      const card = approvalClosedCard(status, url(status));
      await Promise.all(dms.map((ref) => notifier(ref).edit(ref, card)));
    },

    // --- executors --------------------------------------------------------------------------------

    /** Renders the golden-path template into the request's scratch folder. */
    async renderTemplate(ctx: StepContext): Promise<StepResult> {
      return once(ctx, async () => {
        const template = str(ctx.step.with.template) ?? String(ctx.values.template);
        const values = { ...ctx.values, requester: ctx.requester.ref, requestId: ctx.workflowId };
        let files;
        try {
          files = renderTemplate(join(deps.templatesDir, template), values);
        } catch (err) {
          if (err instanceof TemplateError) throw fail(err.message, 'TemplateError');
          throw err;
        }
        const dir = renderDir(ctx);
        rmSync(dir, { recursive: true, force: true });
        for (const f of files) {
          mkdirSync(dirname(join(dir, f.path)), { recursive: true });
          writeFileSync(join(dir, f.path), f.content);
        }
        return { output: { dir, files: files.length }, detail: `${files.length} files` };
      });
    },

    /** Commits the rendered files and pushes them as a new repository. */
    async gitPush(ctx: StepContext): Promise<StepResult> {
      return once(ctx, async () => {
        const dir = renderDir(ctx);
        if (!existsSync(dir)) throw fail(`The rendered files of ${ctx.workflowId} are gone (${dir}); run the request again`, 'RenderMissing');
        const name = String(ctx.values.name);
        const remote = str(ctx.step.with.remote) ?? (isLocal(deps.gitRemote) ? join(localPath(deps.gitRemote), `${name}.git`) : `${deps.gitRemote.replace(/\/$/, '')}/${name}.git`);
        const branch = str(ctx.step.with.branch) ?? 'main';
        if (isLocal(remote)) {
          const bare = localPath(remote);
          if (existsSync(bare)) throw fail(`Repository ${bare} already exists`, 'RepositoryExists');
          mkdirSync(bare, { recursive: true });
          await git(bare, 'init', '--quiet', '--bare', `--initial-branch=${branch}`);
        }
        rmSync(join(dir, '.git'), { recursive: true, force: true });
        await git(dir, 'init', '--quiet', `--initial-branch=${branch}`);
        await git(dir, 'add', '--all');
        await git(dir, 'commit', '--quiet', '-m', `Create ${name} (${ctx.workflowId}, requested by ${ctx.requester.ref})`);
        await git(dir, 'push', '--quiet', isLocal(remote) ? localPath(remote) : remote, branch);
        const commit = await git(dir, 'rev-parse', 'HEAD');
        const repository = isLocal(remote) ? localPath(remote) : remote;
        return { output: { repository, commit, branch }, detail: commit.slice(0, 12) };
      });
    },

    /** Undoes gitPush for repositories on disk; a hosted repository is left for a person to delete. */
    async deleteRepository(ctx: StepContext): Promise<StepResult> {
      return once(ctx, async () => {
        const repository = str(ctx.outputs[ctx.step.id]?.repository);
        if (!repository || !isAbsolute(repository) || !repository.endsWith('.git')) return { detail: `${repository ?? 'the repository'} must be deleted by hand` };
        rmSync(repository, { recursive: true, force: true });
        return { detail: `deleted ${repository}` };
      });
    },

    /** Adds the rendered catalog-info.yaml to the catalog at once. */
    async registerCatalog(ctx: StepContext): Promise<StepResult> {
      return once(ctx, async () => {
        const file = join(renderDir(ctx), str(ctx.step.with.file) ?? 'catalog-info.yaml');
        if (!existsSync(file)) throw fail(`The template rendered no ${str(ctx.step.with.file) ?? 'catalog-info.yaml'}`, 'TemplateError');
        let content = readFileSync(file, 'utf8');
        const location = str(ctx.step.with.location);
        if (location) content = `# Registered by Switchboard (${ctx.workflowId}) from ${location}\n${content}`;
        const name = String(ctx.values.name);
        await register(join('services', `${safeName(name)}.yaml`), content);
        return { output: { registered: `services/${safeName(name)}.yaml` }, detail: 'in the catalog now' };
      });
    },

    async unregisterCatalog(ctx: StepContext): Promise<StepResult> {
      return once(ctx, async () => {
        const rel = str(ctx.outputs[ctx.step.id]?.registered);
        if (rel) await register(rel, null);
        return {};
      });
    },

    /** Records the provisioned resource as a Resource entity the service depends on. */
    async recordResource(ctx: StepContext): Promise<StepResult> {
      return once(ctx, async () => {
        const w = ctx.step.with;
        const name = str(w.name);
        if (!name || !/^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/i.test(name)) throw fail(`record-resource: "${String(w.name)}" is not a valid entity name`, 'InvalidResource');
        const dependencyOf = str(w.dependencyOf);
        const service = dependencyOf ? deps.catalog.whoOwns(dependencyOf) : undefined;
        const outputs = Object.assign({}, ...Object.values(ctx.outputs)) as Record<string, unknown>;
        const entity = {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Resource',
          metadata: {
            name,
            description: `Provisioned by Switchboard (${ctx.workflowId}) for ${ctx.requester.displayName}`,
            annotations: { 'switchboard.dev/workflow-id': ctx.workflowId },
            ...(str(outputs.url) && { links: [{ url: str(outputs.url), title: 'Console' }] }),
          },
          spec: {
            type: str(w.type) ?? 'resource',
            owner: service?.owner?.ref ?? ctx.requester.ref,
            ...(service?.entity?.system && { system: service.entity.system }),
            ...(dependencyOf && { dependencyOf: [dependencyOf] }),
          },
        };
        const rel = join('resources', `${safeName(name)}.yaml`);
        await register(rel, yaml.dump(entity, { lineWidth: 120 }));
        return { output: { registered: rel, resource: `resource:default/${name.toLowerCase()}` }, detail: `resource:default/${name.toLowerCase()}` };
      });
    },

    async createChannel(ctx: StepContext): Promise<StepResult> {
      return once(ctx, async () => {
        const name = str(ctx.step.with.name) ?? String(ctx.values.name);
        const inviteRef = str(ctx.step.with.invite);
        const members = inviteRef ? (deps.catalog.whoOwns(inviteRef).owner?.members ?? []) : [];
        const people: PersonRef[] = [ctx.requester, ...members.map((m) => ({ ref: m.ref, displayName: m.displayName, email: m.email, slackUserId: m.slackUserId ?? null }))];
        const channel = await notifier(ctx.thread).createChannel(name, people);
        return { output: { channel: channel.ref }, links: channel.url ? [{ title: `#${channel.name}`, url: channel.url }] : [], detail: `#${channel.name}` };
      });
    },

    /** The links of the request (with's URLs and what earlier steps produced), for the outcome. */
    async postLinks(ctx: StepContext): Promise<StepResult> {
      const links = Object.entries(ctx.step.with)
        .filter(([, v]) => typeof v === 'string' && /^https?:\/\//.test(v))
        .map(([k, v]) => ({ title: k.charAt(0).toUpperCase() + k.slice(1), url: v as string }));
      for (const out of Object.values(ctx.outputs)) {
        if (typeof out.url === 'string' && /^https?:\/\//.test(out.url)) links.push({ title: typeof out.title === 'string' ? out.title : 'Result', url: out.url });
      }
      return { links };
    },

    webhook: (ctx: StepContext) => once(ctx, () => webhookStep(ctx)),

    async command(ctx: StepContext): Promise<StepResult> {
      return once(ctx, async () => {
        const argv = (ctx.step.with.argv as string[] | undefined) ?? [];
        try {
          const result = await runCommand({
            argv,
            ...(str(ctx.step.with.cwd) && { cwd: str(ctx.step.with.cwd) }),
            inputs: ctx.values,
            env: deps.commandEnv ?? {},
            timeoutMs: ctx.step.timeoutMs,
            heartbeat,
            signal: abortSignal(),
          });
          const last = result.outputTail.trim().split('\n').at(-1) ?? '';
          return { output: { exitCode: result.exitCode }, detail: last.slice(0, 200) };
        } catch (err) {
          if (err instanceof CommandError && !err.retryable) throw fail(err.message, 'CommandFailed');
          throw err;
        }
      });
    },
  });
}

export type SelfServiceActivities = ReturnType<typeof createSelfServiceActivities>;
