/** Types of scripts/build.mjs (plain JavaScript: it runs before anything is compiled). */

/** The installation: the folder that holds package.json. */
export declare const ROOT: string;

/** Relative paths of every source the build compiles, sorted; empty when the sources are not installed. */
export declare function sources(root?: string): string[];

export type BuildState = { state: 'fresh' } | { state: 'stale'; reason: string } | { state: 'no-sources' };

/** Whether dist/ matches the sources; a few milliseconds. */
export declare function check(root?: string): BuildState;

export interface BuildResult {
  files: number;
  written: number;
  removed: number;
  ms: number;
  /** esbuild's warnings (the build is made regardless). */
  warnings: { text: string; location: { file: string; line: number } | null }[];
}

/** Compiles every source to dist/ (each file replaced atomically); throws when esbuild is missing or a source does not parse. */
export declare function build(root?: string): Promise<BuildResult>;
