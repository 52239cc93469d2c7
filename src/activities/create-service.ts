/**
 * The I/O behind createService: render the golden-path template into a new repository, push it,
 * register it in the catalog, undo the push, and write the audit trail. Built by a factory so the
 * worker injects the catalog, the audit log and the git remote.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { renderTemplate, TemplateError, type TemplateValues } from '../actions/template.js';
import type { AuditEntryInput, AuditLog } from '../audit/index.js';
import type { Catalog } from '../catalog/index.js';
import { git } from './git.js';

export interface CreateServiceDeps {
  catalog: Pick<Catalog, 'ingest'>;
  audit: Pick<AuditLog, 'append'>;
  /** Folder of golden-path templates (manifests/templates). */
  templatesDir: string;
  /**
   * Where new repositories go: a folder of bare repositories (`<remote>/<name>.git` is created) or a
   * git URL prefix the push goes to.
   */
  gitRemote: string;
  /** Folder where registered descriptors are kept, so a re-ingest keeps them in the catalog. */
  registryDir: string;
}

export interface PushedRepository {
  url: string;
  commit: string;
  /** The rendered descriptor, registered in the catalog next. */
  catalogInfo: string;
}

const isLocal = (remote: string) => isAbsolute(remote) || remote.startsWith('file://');
const localPath = (remote: string) => remote.replace(/^file:\/\//, '');

export function createServiceActivities(deps: CreateServiceDeps) {
  return {
    async appendAudit(entry: AuditEntryInput): Promise<number> {
      return deps.audit.append(entry).seq;
    },

    /** Renders the template and pushes it as the first commit of a new repository. */
    async renderAndPush(template: string, values: TemplateValues): Promise<PushedRepository> {
      let files;
      try {
        files = renderTemplate(join(deps.templatesDir, template), values);
      } catch (err) {
        // A bad template will not get better on retry.
        if (err instanceof TemplateError) throw ApplicationFailure.nonRetryable(err.message, 'TemplateError');
        throw err;
      }
      const name = String(values.name);
      const url = isLocal(deps.gitRemote) ? join(localPath(deps.gitRemote), `${name}.git`) : `${deps.gitRemote.replace(/\/$/, '')}/${name}.git`;
      if (isLocal(deps.gitRemote)) {
        if (existsSync(url)) throw ApplicationFailure.nonRetryable(`Repository ${url} already exists`, 'RepositoryExists');
        mkdirSync(url, { recursive: true });
        await git(url, 'init', '--bare', '--initial-branch=main');
      }
      const work = mkdtempSync(join(tmpdir(), `switchboard-${name}-`));
      try {
        for (const f of files) {
          mkdirSync(dirname(join(work, f.path)), { recursive: true });
          writeFileSync(join(work, f.path), f.content);
        }
        await git(work, 'init', '--initial-branch=main');
        await git(work, 'add', '--all');
        await git(work, 'commit', '--quiet', '-m', `Create ${name} from the ${template} template`);
        await git(work, 'push', '--quiet', url, 'main');
        const commit = await git(work, 'rev-parse', 'HEAD');
        const catalogInfo = files.find((f) => f.path === 'catalog-info.yaml')?.content;
        if (!catalogInfo) throw ApplicationFailure.nonRetryable(`Template ${template} has no catalog-info.yaml`, 'TemplateError');
        return { url, commit, catalogInfo };
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },

    /** Compensation for renderAndPush: removes the repository it created (local remotes). */
    async deleteRepository(url: string): Promise<boolean> {
      if (!isAbsolute(url) || !url.endsWith('.git') || !existsSync(url)) return false;
      rmSync(url, { recursive: true, force: true });
      return true;
    },

    /** Adds the new component's descriptor to the catalog at once (and keeps it for later ingests). */
    async registerComponent(name: string, catalogInfo: string): Promise<{ entities: number; problems: string[] }> {
      const file = join(deps.registryDir, name, 'catalog-info.yaml');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, catalogInfo);
      const report = await deps.catalog.ingest([file]);
      const problems = report.problems.map((p) => `${p.location}${p.line ? `:${p.line}` : ''} ${p.message}`);
      if (problems.length) throw ApplicationFailure.nonRetryable(`The new descriptor does not ingest: ${problems.join('; ')}`, 'InvalidDescriptor');
      return { entities: report.entities.total, problems };
    },
  };
}

export type CreateServiceActivities = ReturnType<typeof createServiceActivities>;
