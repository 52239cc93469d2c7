/**
 * The Teams app package: read back by Python's zipfile (a reader that is not ours, and that checks every CRC),
 * filled from the environment, and held to the limits of the v1.28 app manifest reference.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TEAMS_DIR, buildPackage, checkManifest, createZip, fillPlaceholders, readPackageValues, type PackageValues } from './teams-package.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./teams-package.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const APP_ID = '6f1b2c3d-1234-4abc-9def-0123456789ab';
const ENV = { TEAMS_APP_ID: APP_ID, SWITCHBOARD_PUBLIC_URL: 'https://chat.example.org:8443/switchboard' };
const VALUES: PackageValues = { appId: APP_ID, host: 'chat.example.org' };

const work = mkdtempSync(join(tmpdir(), 'teams-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let count = 0;
const outFile = () => join(work, `package-${++count}.zip`);

/** What Python's zipfile sees: entry names, testzip() (first entry with a bad CRC, or None), the manifest and each PNG's IHDR size. */
const READ_ZIP = `
import json, struct, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    out = {'names': z.namelist(), 'bad': z.testzip(), 'manifest': json.loads(z.read('manifest.json')), 'sizes': {}}
    for n in z.namelist():
        if n.endswith('.png'):
            out['sizes'][n] = list(struct.unpack('>II', z.read(n)[16:24]))
print(json.dumps(out))
`;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, indexed freely by the assertions
type Loose = Record<string, any>;
interface ReadBack {
  names: string[];
  bad: string | null;
  manifest: Loose;
  sizes: Record<string, [number, number]>;
}
async function readWithPython(file: string): Promise<ReadBack> {
  const { stdout } = await run('python3', ['-c', READ_ZIP, file]);
  return JSON.parse(stdout) as ReadBack;
}

/** The committed template filled with VALUES, and its icons, as buildPackage would check them. */
function filled(): { manifest: Loose; icons: Record<string, Buffer> } {
  const template: unknown = JSON.parse(readFileSync(join(TEAMS_DIR, 'manifest.json'), 'utf8'));
  const icons = { 'color.png': readFileSync(join(TEAMS_DIR, 'color.png')), 'outline.png': readFileSync(join(TEAMS_DIR, 'outline.png')) };
  return { manifest: fillPlaceholders(template, VALUES) as Loose, icons };
}

describe('the package', () => {
  it('is a zip Python reads with intact CRCs and exactly manifest.json, color.png and outline.png at its root', async () => {
    const { file } = buildPackage({ env: ENV, out: outFile() });
    const zip = await readWithPython(file);
    expect(zip.bad).toBeNull();
    expect([...zip.names].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('puts TEAMS_APP_ID into the app id, the bot, the message extension and webApplicationInfo', async () => {
    const { manifest } = await readWithPython(buildPackage({ env: ENV, out: outFile() }).file);
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(manifest.composeExtensions[0].botId).toBe(APP_ID);
    expect(manifest.webApplicationInfo.id).toBe(APP_ID);
  });

  it('puts the host name of SWITCHBOARD_PUBLIC_URL, without port or path, into validDomains', async () => {
    const { manifest } = await readWithPython(buildPackage({ env: ENV, out: outFile() }).file);
    expect(manifest.validDomains).toEqual(['chat.example.org']);
  });

  it('leaves no {{placeholder}} in the packaged manifest', async () => {
    const { manifest } = await readWithPython(buildPackage({ env: ENV, out: outFile() }).file);
    expect(JSON.stringify(manifest)).not.toMatch(/\{\{/);
  });

  it('carries a 192×192 colour icon and a 32×32 outline icon', async () => {
    const { sizes } = await readWithPython(buildPackage({ env: ENV, out: outFile() }).file);
    expect(sizes).toEqual({ 'color.png': [192, 192], 'outline.png': [32, 32] });
  });

  it('is byte-for-byte the same when built twice from the same inputs', () => {
    const first = readFileSync(buildPackage({ env: ENV, out: outFile() }).file);
    const second = readFileSync(buildPackage({ env: ENV, out: outFile() }).file);
    expect(first.equals(second)).toBe(true);
  });
});

describe('the environment', () => {
  it('refuses a missing TEAMS_APP_ID, naming it', () => {
    expect(() => readPackageValues({ SWITCHBOARD_PUBLIC_URL: ENV.SWITCHBOARD_PUBLIC_URL })).toThrow(/^TEAMS_APP_ID: required/);
  });

  it('refuses a TEAMS_APP_ID that is not a GUID, naming it', () => {
    expect(() => readPackageValues({ ...ENV, TEAMS_APP_ID: 'switchboard-bot' })).toThrow(/^TEAMS_APP_ID: must be a GUID.*"switchboard-bot"/);
  });

  it('refuses an http SWITCHBOARD_PUBLIC_URL, naming it', () => {
    expect(() => readPackageValues({ ...ENV, SWITCHBOARD_PUBLIC_URL: 'http://switchboard.example.com' })).toThrow(
      /^SWITCHBOARD_PUBLIC_URL: must be an https URL/,
    );
  });

  it('writes no package when a variable is bad', () => {
    const out = outFile();
    expect(() => buildPackage({ env: { ...ENV, TEAMS_APP_ID: 'nope' }, out })).toThrow(/TEAMS_APP_ID/);
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
  });
});

describe('the command line', () => {
  it('prints the package path when run from another folder', async () => {
    const out = outFile();
    const { stdout } = await run(process.execPath, ['--import', TSX, SCRIPT, '--out', out], { cwd: work, env: { ...process.env, ...ENV } });
    expect(stdout.trim()).toBe(out);
    expect((await readWithPython(out)).bad).toBeNull();
  });

  it('exits 1 with a message naming TEAMS_APP_ID when it is missing', async () => {
    const env = { ...process.env, ...ENV };
    delete (env as Record<string, string | undefined>).TEAMS_APP_ID;
    const failed = await run(process.execPath, ['--import', TSX, SCRIPT, '--out', outFile()], { cwd: work, env }).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/TEAMS_APP_ID: required/);
  });
});

describe('the committed manifest', () => {
  it('passes every check once filled', () => {
    const { manifest, icons } = filled();
    expect(checkManifest(manifest, icons)).toEqual([]);
  });

  it('uses the v1.28 schema and manifestVersion together', () => {
    const { manifest } = filled();
    expect([manifest.$schema, manifest.manifestVersion]).toEqual([
      'https://developer.microsoft.com/json-schemas/teams/v1.28/MicrosoftTeams.schema.json',
      '1.28',
    ]);
  });

  it('offers the bot in personal, team and group chat scopes, without files', () => {
    const { manifest } = filled();
    expect(manifest.bots[0].scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(manifest.bots[0].supportsFiles).toBe(false);
  });

  it('lists the same nine commands for each scope, one command list per scope', () => {
    const { manifest } = filled();
    const lists = manifest.bots[0].commandLists as { scopes: string[]; commands: { title: string }[] }[];
    expect(lists.map((l) => l.scopes)).toEqual([['personal'], ['team'], ['groupChat']]);
    for (const l of lists) {
      expect(l.commands.map((c) => c.title)).toEqual([
        'who owns <service>',
        'whoowns',
        'runbook',
        'deps',
        'help',
        'create-service',
        'provision',
        'rollback',
        'status',
      ]);
    }
  });

  it('has one search command, searchService, with a query parameter', () => {
    const { manifest } = filled();
    const [command, ...others] = manifest.composeExtensions[0].commands;
    expect(others).toEqual([]);
    expect([command.id, command.type, command.title, command.parameters.map((p: { name: string }) => p.name)]).toEqual([
      'searchService',
      'query',
      'Find a service',
      ['query'],
    ]);
  });

  it('asks for ChannelMessage.Read.Group as an Application RSC permission, so channel messages arrive without @mention', () => {
    const { manifest } = filled();
    expect(manifest.authorization.permissions.resourceSpecific).toEqual([{ name: 'ChannelMessage.Read.Group', type: 'Application' }]);
  });
});

describe('the checks', () => {
  it('reports a bot command title over 32 characters', () => {
    const { manifest, icons } = filled();
    manifest.bots[0].commandLists[1].commands[2].title = 'r'.repeat(33);
    expect(checkManifest(manifest, icons)).toEqual(['bots[0].commandLists[1].commands[2].title: at most 32 characters, has 33']);
  });

  it('reports a bot command description over 128 characters', () => {
    const { manifest, icons } = filled();
    manifest.bots[0].commandLists[0].commands[0].description = 'd'.repeat(129);
    expect(checkManifest(manifest, icons)).toEqual(['bots[0].commandLists[0].commands[0].description: at most 128 characters, has 129']);
  });

  it('reports a short name over 30 characters', () => {
    const { manifest, icons } = filled();
    manifest.name.short = 'S'.repeat(31);
    expect(checkManifest(manifest, icons)).toEqual(['name.short: at most 30 characters, has 31']);
  });

  it('reports a short description over 80 characters', () => {
    const { manifest, icons } = filled();
    manifest.description.short = 'x'.repeat(81);
    expect(checkManifest(manifest, icons)).toEqual(['description.short: at most 80 characters, has 81']);
  });

  it('reports a full description over 4000 characters', () => {
    const { manifest, icons } = filled();
    manifest.description.full = 'x'.repeat(4001);
    expect(checkManifest(manifest, icons)).toEqual(['description.full: at most 4000 characters, has 4001']);
  });

  it('reports a missing required field', () => {
    const { manifest, icons } = filled();
    delete manifest.developer.privacyUrl;
    expect(checkManifest(manifest, icons)).toEqual(['developer.privacyUrl: required']);
  });

  it('reports a placeholder nobody filled', () => {
    const { manifest, icons } = filled();
    manifest.developer.name = '{{COMPANY}}';
    expect(checkManifest(manifest, icons)).toEqual([expect.stringMatching(/^manifest\.json: placeholder \{\{COMPANY\}\} is still there/)]);
  });

  it('reports a colour icon of the wrong size, read from its PNG header', () => {
    const { manifest, icons } = filled();
    icons['color.png'] = icons['outline.png'] as Buffer;
    expect(checkManifest(manifest, icons)).toEqual(['icons.color: color.png must be 192×192 pixels, is 32×32']);
  });

  it('reports an outline icon that is not white on transparent', () => {
    const { manifest, icons } = filled();
    manifest.icons.outline = 'color.png';
    expect(checkManifest(manifest, icons)).toEqual([
      'icons.outline: color.png must be 32×32 pixels, is 192×192',
      'icons.outline: color.png needs an alpha channel: save it as 8-bit RGBA, white on transparent',
    ]);
  });

  it('reports an icon file that is not a PNG', () => {
    const { manifest, icons } = filled();
    icons['outline.png'] = Buffer.from('GIF89a');
    expect(checkManifest(manifest, icons)).toEqual(['icons.outline: outline.png is not a PNG file']);
  });

  it('reports a validDomains entry with a scheme', () => {
    const { manifest, icons } = filled();
    manifest.validDomains = ['https://chat.example.org'];
    expect(checkManifest(manifest, icons)).toEqual(['validDomains[0]: must be a host name without https:// or a path, got "https://chat.example.org"']);
  });
});

describe('createZip', () => {
  it('stores names and contents Python reads back unchanged', async () => {
    const file = join(work, 'plain.zip');
    const body = Buffer.from('switchboard '.repeat(500));
    writeFileSync(file, createZip([{ name: 'manifest.json', data: body }]));
    const { stdout } = await run('python3', [
      '-c',
      'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); sys.stdout.write(z.read("manifest.json").decode())',
      file,
    ]);
    expect(stdout).toBe(body.toString());
  });
});
