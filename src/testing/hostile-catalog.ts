/**
 * Test support: a catalog written by an attacker who may commit one catalog-info.yaml, with every
 * string a card shows set to chat markup or terminal control codes, and a checker that lists the live
 * markup a rendered Slack message would carry.
 */
import { yamlDoc, type TempTree } from './fixtures.js';

/** The one Slack user id in the file that is well-formed: the only mention a card may make. */
export const VALID_USER_ID = 'U0BOB123';
/** The one link in the file that passes: the only link a card may make. */
export const VALID_URL = 'https://ok.example/docs';

export const HOSTILE_URLS = [
  'javascript:alert(1)',
  'slack://open?team=T1',
  'https://ok.example/a|<!channel>',
  'https://ok.example/sp ace',
  'https://ok.example/x><!here',
];

const entity = (kind: string, name: string, metadata: Record<string, unknown>, spec: Record<string, unknown>) =>
  yamlDoc({ apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, ...metadata }, spec });

const user = (name: string, slackUserId: string, displayName: string) =>
  entity('User', name, { annotations: { 'switchboard.dev/slack-user-id': slackUserId } }, { profile: { displayName }, memberOf: ['team-evil'] });

/** Writes the descriptor under `evil/` in the tree and returns its folder. */
export function writeHostileCatalog(tree: TempTree): string {
  const docs = [
    entity(
      'Group',
      'team-evil',
      { annotations: { 'switchboard.dev/slack-channel': '<#C0GENERAL|general> <!here>' } },
      { type: 'team', children: [], profile: { displayName: '<!here> Team \u001b[2J& Co\u202e' } },
    ),
    user('mallory', '!channel', '<@U0ADMIN> Mallory'),
    user('eve', 'U1>|x <!channel', 'Eve'),
    user('bob', VALID_USER_ID, 'Bob'),
    entity(
      'Component',
      'evil-api',
      {
        title: '<!channel> Evil API \u001b]0;pwned\u0007',
        description:
          'Ping <!subteam^S0123|@oncall>, <@U0ADMIN> in <#C0GENERAL>; see <https://phish.example|https://bank.example> <!date^1^{date}|x> @channel \u001b[31mred',
        annotations: { 'switchboard.dev/runbook': 'https://ok.example/rb>|<!channel>' },
        links: [...HOSTILE_URLS.map((url, i) => ({ url, title: `Link ${i} <!everyone>` })), { url: VALID_URL, title: '<!here> Docs|<!channel>' }],
      },
      { type: 'service', lifecycle: 'production', owner: 'team-evil', dependsOn: ['component:evil-db'] },
    ),
    entity('Component', 'evil-db', { title: '<!channel> DB' }, { type: 'database', lifecycle: 'production', owner: 'team-evil' }),
  ];
  tree.write('evil/catalog-info.yaml', docs.join('---\n'));
  return tree.path('evil');
}

interface Message {
  text?: unknown;
  blocks?: unknown;
}

/** Every text Slack parses as mrkdwn in a message: its `text` and the mrkdwn objects of its blocks. */
export function mrkdwnTexts(message: Message): string[] {
  const out: string[] = typeof message.text === 'string' ? [message.text] : [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(message.blocks);
  return out;
}

/**
 * The `<…>` tokens Slack would act on (mentions, special mentions, channel links, links, dates) other
 * than those a card may make: a mention of the valid user, the valid link, and dates.
 */
export function liveMarkup(message: Message): string[] {
  const allowed = [
    new RegExp(`^@${VALID_USER_ID}$`),
    new RegExp(`^${VALID_URL.replace(/[.]/g, '\\.')}\\|`),
    /^!date\^\d+\^\{date_short_pretty\} \{time\}\|[^|]*$/,
  ];
  return mrkdwnTexts(message)
    .flatMap((t) => t.match(/<[^>]*>/g) ?? [])
    .filter((token) => !allowed.some((a) => a.test(token.slice(1, -1))));
}
