/**
 * A Slack Web API client for work that runs outside a Slack request (the @oncall user-group sync in
 * the worker): Bolt's own WebClient, so rate-limited calls wait out Retry-After and `ok: false` throws
 * with Slack's error code, exactly as the listeners' client does. Loaded only when Slack is configured.
 */
import type { SlackApi } from '../../activities/oncall-groups.js';

export async function slackWebClient(token: string, apiUrl?: string): Promise<SlackApi> {
  const { webApi } = await import('@slack/bolt');
  const client = new webApi.WebClient(token, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000 },
  });
  return { apiCall: async (method, options) => (await client.apiCall(method, options)) as unknown as Record<string, unknown> };
}
