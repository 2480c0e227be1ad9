/**
 * The core README's "Moving models in and out" example runs as written: PyTorch's ONNX file in
 * (test/fixtures/mnist-relu.onnx, made by torch.onnx.export), trained with the two-step rule,
 * out to ONNX Runtime, which predicts what twostep predicts.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';

const README = fileURLToPath(new URL('../../core/README.md', import.meta.url));

/** The first ```ts block after `heading`. */
function example(markdown: string, heading: string): string {
  const section = markdown.slice(markdown.indexOf(heading));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!section.startsWith(heading) || code === undefined) {
    throw new Error(`no \`\`\`ts example under "${heading}" in ${README}`);
  }
  return code;
}

it('the PyTorch → twostep → ONNX Runtime example runs as written', async () => {
  const code = example(readFileSync(README, 'utf8'), '## Moving models in and out');
  // Beside this test, so that its imports resolve as a user's would; run where mnist.onnx is.
  const file = fileURLToPath(new URL('./readme-example.generated.ts', import.meta.url));
  const folder = mkdtempSync(join(tmpdir(), 'twostep-readme-'));
  copyFileSync(
    fileURLToPath(new URL('fixtures/mnist-relu.onnx', import.meta.url)),
    join(folder, 'mnist.onnx'),
  );
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const cwd = process.cwd();
  try {
    writeFileSync(file, code);
    process.chdir(folder);
    await import(/* @vite-ignore */ file);
    const said = String(log.mock.calls.at(-1)?.[0]);
    const largest = Number(/at most (\S+)$/.exec(said)?.[1]);
    expect(largest, said).toBeLessThan(1e-5);
  } finally {
    process.chdir(cwd);
    log.mockRestore();
    rmSync(file, { force: true });
    rmSync(folder, { recursive: true, force: true });
  }
  // It imports ONNX Runtime, the MNIST digits and every package a user's script would: 3 s on
  // a quiet machine, 75 s seen while the whole test suite ran on two cores.
}, 180_000);
