/**
 * Where a team's "Still yours?" ask and digest go, when a descriptor author writes the channel: only a
 * Slack channel id or name and a Teams standard channel id count; a 1:1, a meeting chat, a message link,
 * a URL or a mention is ignored and logged, and the operator's setting wins over the annotation.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShellNotifier } from '../chat/shell/notifier.js';
import { type Catalog, openCatalog } from '../catalog/index.js';
import { group, tempTree, type TempTree } from '../testing/fixtures.js';
import { formatRef } from '../threads.js';
import { teamChannels } from './attestation.js';

const HOSTILE = {
  'team-dm': { slack: '@U0ADMIN01', teams: 'a:1personal-chat-of-the-ceo' },
  'team-meeting': { slack: '#general; <!channel>', teams: '19:meeting_abc@thread.v2' },
  'team-link': { slack: 'https://evil.example/hook', teams: '19:abc@thread.tacv2;messageid=1712' },
};

describe('teamChannels, from annotations a descriptor author wrote', () => {
  let tree: TempTree;
  let catalog: Catalog;
  const warnings: { obj: object; msg: string }[] = [];
  const logger = { warn: (obj: object, msg: string) => void warnings.push({ obj, msg }) };
  const quiet = () => createShellNotifier({ output: new Writable({ write: (_c, _e, done) => done() }), color: false });
  const both = { slack: quiet(), teams: quiet() };

  beforeAll(async () => {
    tree = tempTree('switchboard-team-channels-');
    const annotated = (slack: string, teams: string) => ({ annotations: { 'switchboard.dev/slack-channel': slack, 'switchboard.dev/teams-channel': teams } });
    tree.write(
      'teams.yaml',
      [
        group('team-good', {}, annotated('#team-good', '19:0a1b2c3d4e5f@thread.tacv2')),
        ...Object.entries(HOSTILE).map(([name, c]) => group(name, {}, annotated(c.slack, c.teams))),
      ].join('---\n'),
    );
    catalog = openCatalog(':memory:');
    expect((await catalog.ingest([tree.dir])).problems).toEqual([]);
  });
  afterAll(() => {
    catalog.close();
    tree.cleanup();
  });

  it('posts to a valid channel on each platform', () => {
    expect(teamChannels({ catalog, notifiers: both, logger }, 'group:default/team-good', undefined)).toEqual([
      { platform: 'slack', where: formatRef({ platform: 'slack', conversation: '#team-good' }) },
      { platform: 'teams', where: formatRef({ platform: 'teams', conversation: '19:0a1b2c3d4e5f@thread.tacv2' }) },
    ]);
  });

  it.each(Object.keys(HOSTILE))('ignores and logs what %s wrote: a DM, a meeting chat, a message link, a URL or a mention is no channel', (name) => {
    warnings.length = 0;
    expect(teamChannels({ catalog, notifiers: both, logger }, `group:default/${name}`, undefined)).toEqual([]);
    expect(warnings.map((w) => w.msg)).toEqual([
      "the team's slack channel annotation is not a channel id; not posting there",
      "the team's teams channel annotation is not a channel id; not posting there",
    ]);
  });

  it("takes the operator's setting over the annotation", () => {
    const setting = { channel: 'C0SETTING1', teamsChannel: '19:operators0pick@thread.skype' };
    expect(teamChannels({ catalog, notifiers: both, logger }, 'group:default/team-dm', setting).map((c) => c.where)).toEqual([
      'slack:C0SETTING1',
      formatRef({ platform: 'teams', conversation: '19:operators0pick@thread.skype' }),
    ]);
  });

  it('skips a platform this process does not serve, and says so', () => {
    warnings.length = 0;
    expect(teamChannels({ catalog, notifiers: { slack: quiet() }, logger }, 'group:default/team-good', undefined).map((c) => c.platform)).toEqual(['slack']);
    expect(warnings.map((w) => w.msg)).toEqual(['the team has a teams channel but teams is not configured here; not posting there']);
  });
});
