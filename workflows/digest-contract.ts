/** The weekly digest's contract between its workflow (workflows/digest.ts) and its activities (src/activities/digest.ts). */

export interface DigestPostInput {
  team: string;
  /** Epoch ms: the week's questions are those asked since. */
  since: number;
}

export interface DigestPostResult {
  team: string;
  /** Where it was posted (`slack:C123`, `teams:19%3A…`); empty when the team has no channel (skipped, logged). */
  posted: string[];
}

export interface DigestActivities {
  /** Every Group in the catalog, by ref. */
  digestTeams(): Promise<string[]>;
  /** Posts one team's digest to its channel, once per run (a retry finds it posted). */
  postDigest(input: DigestPostInput): Promise<DigestPostResult>;
}

export const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
