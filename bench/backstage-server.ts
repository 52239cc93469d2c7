/**
 * bench:backstage's Backstage: the emulator (src/testing/backstage-emulator.ts) serving the generated
 * catalog's entities, in a process of its own so its memory is not counted as the ingest's. Each entity
 * gets the managed-by-location Backstage would give it (`url:` + its file in a repository), so the
 * origins are the files the floor ingests.
 *
 *   node --import tsx bench/backstage-server.ts <catalog dir>
 *
 * Prints one JSON line when it serves ({url, token, entities, origins}); then answers, one JSON line
 * each, the commands read from stdin: `change <every> <removals>` (a new description on every n-th
 * entity, the last `removals` entities removed), `stats` (requests and pages served).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { createInterface } from 'node:readline';
import { loadAll } from 'js-yaml';
import { walkSourceFiles } from '../src/catalog/ingest/walk.js';
import { type BackstageEntity, startBackstageEmulator } from '../src/testing/backstage-emulator.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: backstage-server.ts <catalog dir>');

const entities: BackstageEntity[] = [];
const files = walkSourceFiles(dir);
for (const file of files) {
  const origin = `url:https://git.example/acme/catalog/blob/main/${relative(dir, file)}`;
  for (const doc of loadAll(readFileSync(file, 'utf8')) as BackstageEntity[]) {
    if (!doc || typeof doc !== 'object' || !doc.metadata) continue;
    doc.metadata.annotations = { ...doc.metadata.annotations, 'backstage.io/managed-by-location': origin, 'backstage.io/managed-by-origin-location': origin };
    entities.push(doc);
  }
}

// Made on demand from the parsed objects: each page's JSON is built for that page only.
const emulator = await startBackstageEmulator({ generate: { count: entities.length, entity: (i) => entities[i]! }, maxLimit: 1000 });
process.stdout.write(`${JSON.stringify({ url: emulator.url, token: emulator.token, entities: entities.length, origins: files.length })}\n`);

let round = 0;
for await (const line of createInterface({ input: process.stdin })) {
  const [command, ...args] = line.trim().split(/\s+/);
  if (command === 'change') {
    const every = Number(args[0]);
    const removals = Number(args[1] ?? 0);
    round++;
    let changed = 0;
    for (let i = 0; i < entities.length - removals; i += every) {
      const e = entities[i]!;
      emulator.upsert({ ...e, metadata: { ...e.metadata, description: `Changed in round ${round}` } });
      changed++;
    }
    let removed = 0;
    for (const e of entities.slice(entities.length - removals)) {
      if (emulator.remove(`${e.kind}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`)) removed++;
    }
    const origins = new Set<string>();
    for (let i = 0; i < entities.length - removals; i += every) origins.add(entities[i]!.metadata.annotations!['backstage.io/managed-by-location']!);
    for (const e of entities.slice(entities.length - removals)) origins.add(e.metadata.annotations!['backstage.io/managed-by-location']!);
    process.stdout.write(`${JSON.stringify({ changed, removed, originsTouched: origins.size })}\n`);
  } else if (command === 'stats') {
    const pages = emulator.requests.filter((r) => r.status === 200).length;
    process.stdout.write(`${JSON.stringify({ requests: emulator.requests.length, pages })}\n`);
  } else if (command === 'quit') break;
}
await emulator.close();
