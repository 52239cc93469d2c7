/**
 * `npm run teams:package`: builds the Teams app package an admin uploads (Teams admin center → Manage apps →
 * Upload, or "Upload a custom app" in Teams). It fills manifests/teams/manifest.json from TEAMS_APP_ID and
 * SWITCHBOARD_PUBLIC_URL, checks it against the limits Microsoft documents, and writes
 * dist/teams/switchboard-teams.zip with manifest.json, color.png and outline.png at the zip's root.
 *
 * Paths are resolved from this file, not the working directory. The ZIP writer is ours (node:zlib, no
 * dependency): Teams needs nothing beyond stored-or-deflated entries, and a fixed timestamp keeps the
 * package byte-for-byte reproducible for the same inputs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync, inflateSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The template and its icons. */
export const TEAMS_DIR = join(ROOT, 'manifests', 'teams');
/** Where `npm run teams:package` writes the package unless `--out <file>` says otherwise. */
export const DEFAULT_OUT = join(ROOT, 'dist', 'teams', 'switchboard-teams.zip');

export type TeamsPackageErrorCode = 'bad_env' | 'bad_manifest';

/** A problem an operator can fix; `message` lists every problem found, each naming its variable or field. */
export class TeamsPackageError extends Error {
  constructor(
    readonly code: TeamsPackageErrorCode,
    readonly problems: readonly string[],
  ) {
    super(problems.join('\n'));
    this.name = 'TeamsPackageError';
  }
}

/** What the placeholders in the template are filled with. */
export interface PackageValues {
  /** TEAMS_APP_ID: the Microsoft App ID of the bot's Entra app registration; also the Teams app id. */
  appId: string;
  /** The host name of SWITCHBOARD_PUBLIC_URL, for validDomains. */
  host: string;
}

// The `guid` and `semver` definitions of the app manifest schema (v1.28, MicrosoftTeams.schema.json).
const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const SEMVER = /^([0-9]|[1-9]+[0-9]*)\.([0-9]|[1-9]+[0-9]*)\.([0-9]|[1-9]+[0-9]*)$/;
const PLACEHOLDER = /\{\{\s*[A-Za-z0-9_]+\s*\}\}/;

/** Reads TEAMS_APP_ID and SWITCHBOARD_PUBLIC_URL; throws one error listing every bad or missing variable. */
export function readPackageValues(env: Readonly<Record<string, string | undefined>>): PackageValues {
  const problems: string[] = [];
  const appId = env.TEAMS_APP_ID ?? '';
  if (!appId) problems.push('TEAMS_APP_ID: required, the Microsoft App ID (client ID) of the Azure Bot / Entra app registration');
  else if (!GUID.test(appId)) problems.push(`TEAMS_APP_ID: must be a GUID such as 00000000-0000-0000-0000-000000000000, got "${appId}"`);

  let host = '';
  const publicUrl = env.SWITCHBOARD_PUBLIC_URL ?? '';
  if (!publicUrl) problems.push('SWITCHBOARD_PUBLIC_URL: required, the https address Teams reaches Switchboard at, e.g. https://switchboard.example.com');
  else {
    const url = URL.canParse(publicUrl) ? new URL(publicUrl) : null;
    // Teams only calls bots over https, so an http address could never receive a message.
    if (!url || url.protocol !== 'https:' || !url.hostname) {
      problems.push(`SWITCHBOARD_PUBLIC_URL: must be an https URL such as https://switchboard.example.com, got "${publicUrl}"`);
    } else host = url.hostname;
  }
  if (problems.length) throw new TeamsPackageError('bad_env', problems);
  return { appId, host };
}

/** Replaces `{{TEAMS_APP_ID}}` and `{{SWITCHBOARD_HOST}}` in every string of the parsed template. */
export function fillPlaceholders(template: unknown, values: PackageValues): unknown {
  const table: Record<string, string> = { TEAMS_APP_ID: values.appId, SWITCHBOARD_HOST: values.host };
  const fill = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) => table[name] ?? whole);
    if (Array.isArray(value)) return value.map(fill);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  return fill(template);
}

// ---- PNG ------------------------------------------------------------------------------------------

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  colorType: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Size and pixel format from the IHDR chunk, which the PNG spec requires to come first. */
export function readPngInfo(png: Buffer): PngInfo {
  if (png.length < 33 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG file');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bitDepth: png.readUInt8(24), colorType: png.readUInt8(25) };
}

/**
 * Why an outline icon is not "white on transparent" (Teams draws it tinted on its own backgrounds), or null.
 * Reads 8-bit grey+alpha and RGBA, non-interlaced: what image editors export; anything else is reported.
 */
export function outlineProblem(png: Buffer): string | null {
  const info = readPngInfo(png);
  const channels = info.colorType === 6 ? 4 : info.colorType === 4 ? 2 : 0;
  if (!channels || info.bitDepth !== 8) return 'needs an alpha channel: save it as 8-bit RGBA, white on transparent';
  if (png.readUInt8(28) !== 0) return 'is interlaced: save it without interlacing';
  const rows = unfilter(inflateSync(idat(png)), info.width, info.height, channels);
  let opaque = 0;
  let clear = 0;
  for (let i = 0; i < rows.length; i += channels) {
    const alpha = rows[i + channels - 1] as number;
    if (alpha === 0) clear++;
    else {
      opaque++;
      // Near-white passes: anti-aliasing tools may round 255 down by a few steps.
      const colour = channels === 4 ? [rows[i], rows[i + 1], rows[i + 2]] : [rows[i]];
      if (colour.some((c) => (c as number) < 0xf0)) return 'has pixels that are not white: the outline must be white on transparent';
    }
  }
  if (!opaque) return 'is empty: every pixel is transparent';
  if (!clear) return 'has no transparent pixels: the outline must be white on transparent';
  return null;
}

function idat(png: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 8; at + 8 <= png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') parts.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return Buffer.concat(parts);
}

/** Undoes the per-row PNG filters (None, Sub, Up, Average, Paeth); returns the raw pixel bytes. */
function unfilter(data: Buffer, width: number, height: number, bpp: number): Buffer {
  const stride = width * bpp;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const type = data[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const raw = data[y * (stride + 1) + 1 + x] as number;
      const a = x >= bpp ? (out[y * stride + x - bpp] as number) : 0;
      const b = y > 0 ? (out[(y - 1) * stride + x] as number) : 0;
      const c = x >= bpp && y > 0 ? (out[(y - 1) * stride + x - bpp] as number) : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = type === 1 ? a : type === 2 ? b : type === 3 ? (a + b) >> 1 : type === 4 ? paeth : 0;
      out[y * stride + x] = (raw + predictor) & 0xff;
    }
  }
  return out;
}

// ---- manifest checks ------------------------------------------------------------------------------

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The icon sizes Teams requires (app manifest reference, "icons"). */
export const ICON_SIZES = { color: 192, outline: 32 } as const;
const BOT_SCOPES = ['personal', 'team', 'groupChat'];

/**
 * Every problem with a filled manifest and its icons, each naming the field; empty when it is fine to upload.
 * Limits are those of the v1.28 app manifest reference; where the reference and the JSON schema differ (bot
 * command title 32 vs 128, description 128 vs 4000) the stricter, documented one is used.
 */
export function checkManifest(manifest: unknown, icons: Readonly<Record<string, Buffer>>): string[] {
  const problems: string[] = [];
  if (!isObject(manifest)) return ['manifest.json: must be a JSON object'];
  const text = (path: string, value: unknown, max: number, required = true) => {
    if (value === undefined && !required) return;
    if (typeof value !== 'string' || !value) problems.push(`${path}: required`);
    else if (value.length > max) problems.push(`${path}: at most ${max} characters, has ${value.length}`);
  };
  const guid = (path: string, value: unknown) => {
    if (typeof value !== 'string' || !GUID.test(value)) problems.push(`${path}: must be a GUID, got ${JSON.stringify(value)}`);
  };
  const https = (path: string, value: unknown) => {
    text(path, value, 2048);
    if (typeof value === 'string' && !/^https:\/\/[^/]/i.test(value)) problems.push(`${path}: must be an https URL`);
  };

  const version = manifest.manifestVersion;
  text('manifestVersion', version, 10);
  if (typeof manifest.$schema !== 'string' || !manifest.$schema.includes(`/teams/v${String(version)}/`)) {
    problems.push(`$schema: must be the MicrosoftTeams.schema.json of manifestVersion ${String(version)}`);
  }
  if (typeof manifest.version !== 'string' || !SEMVER.test(manifest.version)) problems.push('version: must be a version such as 1.0.0');
  guid('id', manifest.id);
  if (typeof manifest.accentColor !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(manifest.accentColor))
    problems.push('accentColor: must be a colour such as #2C2D30');

  const developer = isObject(manifest.developer) ? manifest.developer : {};
  text('developer.name', developer.name, 32);
  for (const key of ['websiteUrl', 'privacyUrl', 'termsOfUseUrl']) https(`developer.${key}`, developer[key]);

  const name = isObject(manifest.name) ? manifest.name : {};
  text('name.short', name.short, 30);
  text('name.full', name.full, 100, false);
  const description = isObject(manifest.description) ? manifest.description : {};
  text('description.short', description.short, 80);
  text('description.full', description.full, 4000);
  const features = list(description.features);
  if (features.length > 3) problems.push('description.features: at most 3');
  features.forEach((f, i) => {
    text(`description.features[${i}].title`, isObject(f) ? f.title : undefined, 45);
    text(`description.features[${i}].description`, isObject(f) ? f.description : undefined, 120);
  });

  const iconPaths = isObject(manifest.icons) ? manifest.icons : {};
  for (const [kind, size] of Object.entries(ICON_SIZES)) {
    const file = iconPaths[kind];
    const path = `icons.${kind}`;
    if (typeof file !== 'string' || !file) {
      problems.push(`${path}: required`);
      continue;
    }
    const png = icons[file];
    if (!png) {
      problems.push(`${path}: ${file} is not in the package`);
      continue;
    }
    let info: PngInfo;
    try {
      info = readPngInfo(png);
    } catch {
      problems.push(`${path}: ${file} is not a PNG file`);
      continue;
    }
    if (info.width !== size || info.height !== size) problems.push(`${path}: ${file} must be ${size}×${size} pixels, is ${info.width}×${info.height}`);
    const outline = kind === 'outline' ? outlineProblem(png) : null;
    if (outline) problems.push(`${path}: ${file} ${outline}`);
  }

  const bots = list(manifest.bots);
  if (bots.length > 1) problems.push('bots: at most one bot per app');
  bots.forEach((bot, b) => {
    const at = `bots[${b}]`;
    if (!isObject(bot)) return problems.push(`${at}: must be an object`);
    guid(`${at}.botId`, bot.botId);
    const scopes = list(bot.scopes);
    if (!scopes.length || scopes.some((s) => !BOT_SCOPES.includes(s as string))) problems.push(`${at}.scopes: one or more of ${BOT_SCOPES.join(', ')}`);
    const lists = list(bot.commandLists);
    if (lists.length > 3) problems.push(`${at}.commandLists: at most 3`);
    lists.forEach((commandList, l) => {
      const where = `${at}.commandLists[${l}]`;
      const listScopes = isObject(commandList) ? list(commandList.scopes) : [];
      if (!listScopes.length || listScopes.some((s) => !scopes.includes(s))) problems.push(`${where}.scopes: must name scopes the bot has`);
      const commands = isObject(commandList) ? list(commandList.commands) : [];
      if (commands.length > 12) problems.push(`${where}.commands: at most 12`);
      commands.forEach((command, c) => {
        text(`${where}.commands[${c}].title`, isObject(command) ? command.title : undefined, 32);
        text(`${where}.commands[${c}].description`, isObject(command) ? command.description : undefined, 128);
      });
    });
  });

  const extensions = list(manifest.composeExtensions);
  if (extensions.length > 1) problems.push('composeExtensions: at most one per app');
  extensions.forEach((extension, e) => {
    const at = `composeExtensions[${e}]`;
    if (!isObject(extension)) return problems.push(`${at}: must be an object`);
    guid(`${at}.botId`, extension.botId);
    const commands = list(extension.commands);
    if (!commands.length || commands.length > 10) problems.push(`${at}.commands: 1 to 10`);
    commands.forEach((command, c) => {
      const where = `${at}.commands[${c}]`;
      const cmd = isObject(command) ? command : {};
      text(`${where}.id`, cmd.id, 64);
      text(`${where}.title`, cmd.title, 32);
      text(`${where}.description`, cmd.description, 128, false);
      const parameters = list(cmd.parameters);
      if ((cmd.type ?? 'query') === 'query' && (parameters.length < 1 || parameters.length > 5))
        problems.push(`${where}.parameters: 1 to 5 for a query command`);
      parameters.forEach((parameter, p) => {
        const param = isObject(parameter) ? parameter : {};
        text(`${where}.parameters[${p}].name`, param.name, 64);
        text(`${where}.parameters[${p}].title`, param.title, 32);
        text(`${where}.parameters[${p}].description`, param.description, 128, false);
      });
    });
  });

  const domains = list(manifest.validDomains);
  if (domains.length > 100) problems.push('validDomains: at most 100');
  domains.forEach((domain, d) => {
    // A domain, optionally with a leading wildcard label: no scheme, no path.
    if (typeof domain !== 'string' || !/^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(domain)) {
      problems.push(`validDomains[${d}]: must be a host name without https:// or a path, got ${JSON.stringify(domain)}`);
    }
  });

  if (manifest.webApplicationInfo !== undefined)
    guid('webApplicationInfo.id', isObject(manifest.webApplicationInfo) ? manifest.webApplicationInfo.id : undefined);
  const authorization = isObject(manifest.authorization) && isObject(manifest.authorization.permissions) ? manifest.authorization.permissions : {};
  const rsc = list(authorization.resourceSpecific);
  if (rsc.length > 16) problems.push('authorization.permissions.resourceSpecific: at most 16');
  rsc.forEach((permission, r) => {
    const where = `authorization.permissions.resourceSpecific[${r}]`;
    text(`${where}.name`, isObject(permission) ? permission.name : undefined, 128);
    const type = isObject(permission) ? permission.type : undefined;
    if (type !== 'Application' && type !== 'Delegated') problems.push(`${where}.type: Application or Delegated`);
  });

  const left = JSON.stringify(manifest).match(PLACEHOLDER);
  if (left) problems.push(`manifest.json: placeholder ${left[0]} is still there; the script fills only {{TEAMS_APP_ID}} and {{SWITCHBOARD_HOST}}`);
  return problems;
}

// ---- ZIP ------------------------------------------------------------------------------------------

export interface ZipEntry {
  name: string;
  data: Buffer;
}

// 1980-01-01 00:00, the first instant MS-DOS time can express: the same inputs give the same bytes.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/** A ZIP archive (PKWARE APPNOTE 4.3: local headers, central directory, end record), every entry deflated. */
export function createZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const fileName = Buffer.from(name, 'utf8');
    const compressed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0, deflate
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, fileName, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by: 2.0, MS-DOS attributes
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42); // extra, comment, disk, attributes stay 0
    centrals.push(central, fileName);
    offset += local.length + fileName.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

// ---- the package ----------------------------------------------------------------------------------

export interface BuildOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Folder with manifest.json and the icons it names (default manifests/teams). */
  teamsDir?: string;
  /** The ZIP to write (default dist/teams/switchboard-teams.zip). */
  out?: string;
}

export interface BuiltPackage {
  file: string;
  manifest: Json;
}

/** Fills, checks and writes the package; throws TeamsPackageError listing every problem, writing nothing. */
export function buildPackage(options: BuildOptions): BuiltPackage {
  const values = readPackageValues(options.env);
  const teamsDir = options.teamsDir ?? TEAMS_DIR;
  const out = resolve(options.out ?? DEFAULT_OUT);
  let template: unknown;
  try {
    template = JSON.parse(readFileSync(join(teamsDir, 'manifest.json'), 'utf8'));
  } catch (err) {
    throw new TeamsPackageError('bad_manifest', [`${join(teamsDir, 'manifest.json')}: ${(err as Error).message}`]);
  }
  const manifest = fillPlaceholders(template, values);
  const icons: Record<string, Buffer> = {};
  const problems: string[] = [];
  const iconPaths = isObject(manifest) && isObject(manifest.icons) ? manifest.icons : {};
  for (const kind of Object.keys(ICON_SIZES)) {
    const file = iconPaths[kind];
    if (typeof file !== 'string') continue;
    // The package is flat: Teams looks for the icons beside manifest.json at the zip's root.
    if (!/^[A-Za-z0-9._-]+\.png$/.test(file)) {
      problems.push(`icons.${kind}: must be a .png file name beside manifest.json, got "${file}"`);
      continue;
    }
    try {
      icons[file] = readFileSync(join(teamsDir, file));
    } catch {
      // Reported by checkManifest as "not in the package".
    }
  }
  problems.push(...checkManifest(manifest, icons));
  if (problems.length) throw new TeamsPackageError('bad_manifest', problems);

  const entries: ZipEntry[] = [
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
    ...Object.entries(icons).map(([name, data]) => ({ name, data })),
  ];
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, createZip(entries));
  return { file: out, manifest: manifest as Json };
}

/** The command line: `[--out <file>]`; prints the package's path, or the problems and exits 1. */
export function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): number {
  const at = argv.indexOf('--out');
  if (at >= 0 && !argv[at + 1]) {
    console.error('--out needs a file name');
    return 2;
  }
  try {
    const { file } = buildPackage({ env, out: at >= 0 ? resolve(argv[at + 1] as string) : undefined });
    console.log(file);
    return 0;
  } catch (err) {
    if (!(err instanceof TeamsPackageError)) throw err;
    console.error(`Cannot build the Teams app package:\n${err.problems.map((p) => `  ${p}`).join('\n')}`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2), process.env);
}
