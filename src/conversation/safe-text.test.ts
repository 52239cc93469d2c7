import { describe, expect, it } from 'vitest';
import { isSlackChannelId, isSlackUserId, linkUrl, terminalText } from './safe-text.js';

describe('link URLs', () => {
  it('allows http, https and mailto', () => {
    for (const url of ['https://runbooks.example/payments', 'http://wiki.example/a?b=1&c=2#x', 'mailto:payments@example.com']) expect(linkUrl(url)).toBe(url);
  });

  it('refuses other schemes: javascript:, slack:, file:, data:', () => {
    for (const url of ['javascript:alert(1)', 'JavaScript:alert(1)', 'slack://channel?id=C1', 'file:///etc/passwd', 'data:text/html,<b>x</b>'])
      expect(linkUrl(url)).toBeNull();
  });

  it('refuses a URL that could end or split a link: <, >, |', () => {
    for (const url of ['https://ok.example/a|<!channel>', 'https://ok.example/>x', 'https://ok.example/<!here>']) expect(linkUrl(url)).toBeNull();
  });

  it('refuses whitespace, control characters and bidi overrides', () => {
    for (const url of [
      'https://ok.example/a b',
      'https://ok.example/a\nb',
      'https://ok.example/\u0007',
      'https://ok.example/\u202egnp.exe',
      ' https://ok.example/',
    ])
      expect(linkUrl(url)).toBeNull();
  });

  it('refuses what is not a URL at all', () => {
    for (const url of ['', 'runbook', '/relative/path', 'https://']) expect(linkUrl(url)).toBeNull();
  });
});

describe('Slack ids', () => {
  it('accepts user ids that start with U or W and channel ids that start with C or G', () => {
    expect(['U04MB7H3QWE', 'W0123ABC'].every(isSlackUserId)).toBe(true);
    expect(['C0123ABC', 'G0123ABC'].every(isSlackChannelId)).toBe(true);
  });

  it('refuses special mentions and anything with markup in it', () => {
    for (const id of ['!channel', '!here', 'U1>|x <!channel', 'u0lower', 'U1', 'C0123ABC', '', null, undefined]) expect(isSlackUserId(id)).toBe(false);
    for (const id of ['#general', 'general', 'C1>', '!everyone', 'U0123ABC']) expect(isSlackChannelId(id)).toBe(false);
  });
});

describe('terminal text', () => {
  it('removes escape sequences with their parameters: colours, screen clears, window titles', () => {
    expect(terminalText('a\u001b[31mred\u001b[0m b\u001b[2Jc\u001b]0;pwned\u0007d')).toBe('ared bcd');
    expect(terminalText('x\u009b2Jy')).toBe('xy');
  });

  it('removes C0 (except newline and tab), DEL and C1 control characters', () => {
    expect(terminalText('a\u0000b\u0008c\rd\u007fe\u0085f\u0091g\nh\ti')).toBe('abcdefg\nh\ti');
  });

  it('removes bidi embeddings, overrides and isolates', () => {
    expect(terminalText('invoice\u202Egpj.exe \u2066x\u2069 \u202Ay\u202C')).toBe('invoicegpj.exe x y');
  });

  it('leaves ordinary text, emoji and other scripts alone', () => {
    const text = 'Zahlungen · 支払い — ✅ done (3 min)';
    expect(terminalText(text)).toBe(text);
  });
});
