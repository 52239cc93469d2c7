/** `post-links`: the links of the request (with's URLs and what earlier steps produced), for the outcome. Not journaled: it has no side effect. */
import type { StepActivity } from '../../../workflows/contract.js';

export const postLinks = (): StepActivity => async (ctx) => {
  const links = Object.entries(ctx.step.with)
    .filter(([, v]) => typeof v === 'string' && /^https?:\/\//.test(v))
    .map(([k, v]) => ({ title: k.charAt(0).toUpperCase() + k.slice(1), url: v as string }));
  for (const out of Object.values(ctx.outputs)) {
    if (typeof out.url === 'string' && /^https?:\/\//.test(out.url)) links.push({ title: typeof out.title === 'string' ? out.title : 'Result', url: out.url });
  }
  return { links };
};
