import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The CLI's Io, collecting what it prints on stdout (`out`) and stderr (`err`). */
export function session() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) },
    out,
    err,
  };
}

/** `spec` written as `study.json` in a fresh scratch folder; its path. */
export function specFile(spec: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'twostep-study-')), 'study.json');
  writeFileSync(path, JSON.stringify(spec));
  return path;
}
