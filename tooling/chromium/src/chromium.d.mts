// Types of chromium.mjs.

export interface FindOptions {
  /** Read for CHROME_PATH and PATH; process.env by default. */
  env?: Record<string, string | undefined>;
  /** Whether a path is an executable file; isExecutable by default. */
  executable?: (path: string) => boolean;
}

export interface InstallOptions extends FindOptions {
  /** The user id; process.getuid() by default. */
  uid?: number;
  /** The fields of /etc/os-release, read by default. */
  osRelease?: Record<string, string>;
  /** Runs a command and throws when it fails; execFileSync, noninteractive, by default. */
  run?: (command: string, args: readonly string[]) => void;
  /** Says that an install starts; console.error by default. */
  log?: (line: string) => void;
}

export const DEBIAN_CHROMIUM: string;
export const CHROMIUM_ARGS: readonly string[];
export const PATH_NAMES: readonly string[];
export const MISSING: string;
export function isExecutable(path: string): boolean;
export function findChromium(options?: FindOptions): string | undefined;
export function chromiumPath(options?: FindOptions): string;
export function parseOsRelease(text: string): Record<string, string>;
export function canInstall(options?: Pick<InstallOptions, 'uid' | 'osRelease'>): boolean;
export function ensureChromium(options?: InstallOptions): string;
export function installCommands(name: string): readonly (readonly [string, readonly string[]])[];
export const DEBIAN_REDIS: string;
export const REDIS_MISSING: string;
export function findRedis(options?: FindOptions): string | undefined;
export function ensureRedis(options?: InstallOptions): string;
