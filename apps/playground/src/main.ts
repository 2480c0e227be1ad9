/**
 * The page: picks the backend from config, drives the training worker, and turns the controls
 * into its commands and its reports into drawings. No computation happens here; the settings
 * form is settings-form.ts, the drawing views.ts.
 */
import { DTYPES, formatArchitecture, TwoStepError } from '@twostep/core';
import baked from '../twostep.config.json';
import {
  BACKEND_NAMES,
  type BackendChoice,
  type BackendName,
  DEFAULT_CHOICE,
  resolveChoice,
  withChoice,
} from './config.js';
import { DIGITS_FILE } from './digits.js';
import { DrawingPad } from './draw.js';
import { $, hideError, options, setStatus, showError } from './page.js';
import { nearestPoint } from './plots.js';
import type { Command, ExportFormat, ModelFile, Report, Snapshot } from './protocol.js';
import { DEFAULTS, type Settings, toForm } from './settings.js';
import { showTask, wireSettingsForm, writeForm } from './settings-form.js';
import { type Points, showPrediction, showSnapshot } from './views.js';
import './style.css';
import './network-view.css';

// ─────────────────────────────── the backend ───────────────────────────────

let worker: Worker | undefined;
let choice: BackendChoice = DEFAULT_CHOICE;
let settings: Settings = DEFAULTS.toy;
let points: Points | undefined;
let last: Snapshot | undefined;

const send = (command: Command) => worker?.postMessage(command);

/** The model file that goes on to the next backend, once its worker is ready. */
let carried: ModelFile[] | undefined;
/** The backend to switch to once the current worker has handed over its model. */
let switching: BackendChoice | undefined;
/** Whether the current worker holds a network (it was configured). */
let hasNetwork = false;

/** Moves to `next`, taking the trained network along when there is one. */
function switchBackend(next: BackendChoice): void {
  if (!hasNetwork) {
    useBackend(next);
    return;
  }
  switching = next;
  send({ type: 'export', format: 'twostep' });
}

/**
 * A new worker on `next`: the old one is terminated, and with it its backend and the backend's
 * own workers (ts's threads), which a terminated worker's nested workers are.
 */
function useBackend(next: BackendChoice): void {
  worker?.terminate();
  hasNetwork = false;
  choice = next;
  $<HTMLSelectElement>('backend').value = next.backend;
  $<HTMLSelectElement>('dtype').value = next.dtype;
  showThreads(next);
  history.replaceState(null, '', withChoice(location.search, next));
  setStatus('loading', `loading ${next.backend}…`);
  hideError();
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<Report>) => onReport(event.data);
  worker.onerror = (event) => {
    setStatus('failed', 'the worker failed');
    // A script that did not load comes without a message; in a cross-origin isolated page,
    // the likely cause is a host that sends the isolation headers with the page only.
    const why =
      event.message ||
      (crossOriginIsolated
        ? 'its script did not load. A cross-origin isolated page starts only workers whose scripts are served with Cross-Origin-Embedder-Policy: require-corp too: send the headers with every file.'
        : 'its script did not load.');
    showError(`The training worker failed: ${why}`);
  };
  send({
    type: 'init',
    choice: next,
    digitsUrl: new URL(`${import.meta.env.BASE_URL}${DIGITS_FILE}`, location.href).href,
  });
}

function onReport(report: Report): void {
  switch (report.type) {
    case 'ready':
      // ts says how many threads it computes on, and why only one where more were asked.
      setStatus(
        'ready',
        report.description ?? `${report.backend} · ${report.dtype} · ${report.detail}`,
        report.threads,
      );
      send({ type: 'configure', settings });
      if (carried) send({ type: 'import', files: carried });
      carried = undefined;
      return;
    case 'configured':
      hasNetwork = true;
      settings = report.settings;
      writeForm(toForm(settings));
      showTask(settings.task);
      points = report.points;
      setRunning(false);
      return;
    case 'snapshot':
      onSnapshot(report.snapshot);
      return;
    case 'model':
      if (switching) {
        carried = report.files;
        useBackend(switching);
        switching = undefined;
      } else {
        for (const file of report.files) download(file);
      }
      return;
    case 'saved':
      $('stored').textContent =
        `Saved ${formatArchitecture(settings.architecture)} in this browser: Load brings it back, also after a reload.`;
      return;
    case 'prediction':
      if (report.label !== undefined) pad.drawPixels(report.pixels);
      showPrediction(report);
      return;
    case 'error':
      onError(report);
      return;
  }
}

/** The backends on the browser's GPU (WebGL, WebGPU), which a browser may lack: no fallbacks. */
const GPU_BACKENDS: ReadonlySet<BackendName> = new Set(['webgpu', 'tfjs-webgl', 'tfjs-webgpu']);

function onError(report: Extract<Report, { type: 'error' }>): void {
  if (report.stage === 'backend') {
    setStatus('failed', `${choice.backend} is unavailable`);
    // Another backend only if the user says so; the fallbacks are those that run in any browser.
    const others = BACKEND_NAMES.filter((b) => b !== choice.backend && !GPU_BACKENDS.has(b));
    showError(
      `Backend ${choice.backend} cannot run here. ${report.message}`,
      others.map((b) => [
        `Fall back to ${b}`,
        () => useBackend({ backend: b, dtype: 'default', threads: 'default' }),
      ]),
    );
    return;
  }
  setRunning(false);
  const what = {
    import: 'Import failed',
    export: 'Export failed',
    save: 'Save failed',
    load: 'Load failed',
    train: 'Training stopped',
    command: 'Error',
  }[report.stage];
  showError(`${what}: ${report.message}`);
}

/**
 * The threads selector: default, then 1 … the cores (and the chosen number when beyond them);
 * enabled on ts only.
 */
function showThreads(next: BackendChoice): void {
  const select = $<HTMLSelectElement>('threads');
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  const top = Math.max(cores, next.threads === 'default' ? 1 : next.threads);
  options(select, ['default', ...Array.from({ length: top }, (_, i) => String(i + 1))]);
  select.value = String(next.threads);
  select.disabled = next.backend !== 'ts';
}

// ─────────────────────────────── training ───────────────────────────────

let running = false;
function setRunning(on: boolean): void {
  running = on;
  $('run').textContent = on ? 'Pause' : 'Run';
}

function onSnapshot(s: Snapshot): void {
  last = s;
  // Once this snapshot is on screen, the worker may send the next (asked first, so that a
  // drawing that throws cannot stop the snapshots).
  requestAnimationFrame(() => send({ type: 'drawn' }));
  if (!s.running && running) setRunning(false);
  showSnapshot(s, settings.task === 'toy' ? points : undefined);
}

function download(file: ModelFile): void {
  const blob =
    'text' in file
      ? new Blob([file.text], { type: 'application/json' })
      : // A message's bytes are never shared memory.
        new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ─────────────────────────────── wiring ───────────────────────────────

const pad = new DrawingPad($<HTMLCanvasElement>('pad'));
// A stroke asks for a prediction; a cleared pad clears the last one.
pad.onChange(() => {
  const pixels = pad.pixels();
  if (pixels.some((v) => v > 0)) {
    if (settings.task === 'mnist') send({ type: 'predict', pixels });
    return;
  }
  $('prediction').replaceChildren();
  delete $('prediction').dataset.digit;
  const saliency = $<HTMLCanvasElement>('saliency');
  saliency.getContext('2d')!.clearRect(0, 0, saliency.width, saliency.height);
});

function wire(): void {
  options($<HTMLSelectElement>('backend'), BACKEND_NAMES);
  options($<HTMLSelectElement>('dtype'), ['default', ...DTYPES]);

  $('backend-form').addEventListener('change', () => {
    const backend = $<HTMLSelectElement>('backend').value as BackendChoice['backend'];
    const threads = $<HTMLSelectElement>('threads').value;
    switchBackend({
      backend,
      dtype: $<HTMLSelectElement>('dtype').value as BackendChoice['dtype'],
      // Threads are ts's; another backend goes back to its default.
      threads: backend === 'ts' && threads !== 'default' ? Number(threads) : 'default',
    });
  });
  wireSettingsForm((checked) => {
    hideError();
    settings = checked;
    send({ type: 'configure', settings });
  });

  $('run').addEventListener('click', () => {
    setRunning(!running);
    send({ type: running ? 'run' : 'pause' });
  });
  $('step').addEventListener('click', () => {
    setRunning(false);
    send({ type: 'step' });
  });
  $('reset').addEventListener('click', () => {
    hideError();
    send({ type: 'configure', settings });
  });
  $('speed').addEventListener('change', () => {
    const value = $<HTMLSelectElement>('speed').value;
    send({ type: 'speed', epochsPerSecond: value === '' ? null : Number(value) });
  });
  $('export').addEventListener('click', () => {
    send({ type: 'export', format: $<HTMLSelectElement>('export-format').value as ExportFormat });
  });
  $<HTMLInputElement>('import').addEventListener('change', async (event) => {
    const input = event.target as HTMLInputElement;
    const selected = [...(input.files ?? [])];
    if (selected.length === 0) return;
    hideError();
    // JSON as text; .onnx and Layers weights as bytes.
    const files = await Promise.all(
      selected.map(
        async (f): Promise<ModelFile> =>
          /\.json$/i.test(f.name)
            ? { name: f.name, text: await f.text() }
            : { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) },
      ),
    );
    send({ type: 'import', files });
    input.value = '';
  });
  $('save').addEventListener('click', () => {
    hideError();
    send({ type: 'save' });
  });
  $('load').addEventListener('click', () => {
    hideError();
    send({ type: 'load' });
  });
  $('boundary').addEventListener('click', (event) => {
    if (!points) return;
    const canvas = event.target as HTMLCanvasElement;
    const box = canvas.getBoundingClientRect();
    const scale = canvas.width / box.width;
    const sample = nearestPoint(
      canvas,
      points.inputs,
      (event.clientX - box.left) * scale,
      (event.clientY - box.top) * scale,
    );
    send({ type: 'trace', sample });
  });
  $('clear').addEventListener('click', () => pad.clear());
  $('show-test-digit').addEventListener('click', () => {
    send({ type: 'predict', testDigit: Number($<HTMLInputElement>('test-digit').value) });
  });
}

wire();
writeForm(toForm(settings));
showTask(settings.task);
try {
  useBackend(resolveChoice(baked, location.search));
} catch (error) {
  if (!(error instanceof TwoStepError)) throw error;
  setStatus('failed', 'bad backend config');
  showError(`${error.message} Pick a backend above.`);
}

// For the end-to-end tests and the console: the latest snapshot.
Object.assign(globalThis, { playground: { snapshot: () => last } });
