/**
 * The page: picks the backend from config, drives the training worker, draws what it
 * reports. No computation happens here.
 */
import { ACTIVATION_NAMES, DTYPES, LOSS_NAMES, TwoStepError } from '@twostep/core';
import baked from '../twostep.config.json';
import {
  BACKEND_NAMES,
  type BackendChoice,
  DEFAULT_CHOICE,
  resolveChoice,
  withChoice,
} from './config.js';
import { TOY_DATASETS } from './datasets.js';
import { DIGITS_FILE } from './digits.js';
import { DrawingPad } from './draw.js';
import { renderNetwork, renderTraceTable } from './network-view.js';
import { drawBoundary, drawLossCurve, nearestPoint } from './plots.js';
import type { Command, Report, Snapshot } from './protocol.js';
import { drawSaliency } from './saliency.js';
import {
  activationsFor,
  checkSettings,
  DEFAULTS,
  type Field,
  OPTIMIZERS,
  type Settings,
  type SettingsForm,
  type Task,
  toForm,
} from './settings.js';
import './style.css';
import './network-view.css';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const settingsForm = $<HTMLFormElement>('settings');
const field = (name: string) =>
  settingsForm.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;

const options = (select: HTMLSelectElement, values: readonly string[]) => {
  select.replaceChildren(...values.map((v) => new Option(v, v)));
};

// ─────────────────────────────── the backend ───────────────────────────────

let worker: Worker | undefined;
let choice: BackendChoice = DEFAULT_CHOICE;
let settings: Settings = DEFAULTS.toy;
let points: { inputs: [number, number][]; labels: number[] } | undefined;
let losses: number[] = [];
let last: Snapshot | undefined;

const send = (command: Command) => worker?.postMessage(command);

function setStatus(state: 'loading' | 'ready' | 'failed', text: string): void {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = text;
}

/** An error in the banner, with buttons for what the user may do about it. */
function showError(message: string, actions: [label: string, act: () => void][] = []): void {
  $('banner').hidden = false;
  $('banner-text').textContent = message;
  $('banner-actions').replaceChildren(
    ...actions.map(([label, act]) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.addEventListener('click', act);
      return button;
    }),
  );
}

const hideError = () => {
  $('banner').hidden = true;
};

/** The model file that goes on to the next backend, once its worker is ready. */
let carried: string | undefined;
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
  send({ type: 'export' });
}

/** A new worker on `next`: the old one (and its backend) is terminated. */
function useBackend(next: BackendChoice): void {
  worker?.terminate();
  hasNetwork = false;
  choice = next;
  $<HTMLSelectElement>('backend').value = next.backend;
  $<HTMLSelectElement>('dtype').value = next.dtype;
  history.replaceState(null, '', withChoice(location.search, next));
  setStatus('loading', `loading ${next.backend}…`);
  hideError();
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<Report>) => onReport(event.data);
  worker.onerror = (event) => {
    setStatus('failed', 'the worker failed');
    showError(`The training worker failed: ${event.message}`);
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
      setStatus('ready', `${report.backend} · ${report.dtype} · ${report.detail}`);
      send({ type: 'configure', settings });
      if (carried) send({ type: 'import', json: carried });
      carried = undefined;
      return;
    case 'configured':
      hasNetwork = true;
      settings = report.settings;
      writeForm(toForm(settings));
      showTask(settings.task);
      points = report.points;
      losses = [];
      setRunning(false);
      return;
    case 'snapshot':
      showSnapshot(report.snapshot);
      return;
    case 'model':
      if (switching) {
        carried = report.json;
        useBackend(switching);
        switching = undefined;
      } else {
        download(report.json);
      }
      return;
    case 'prediction':
      showPrediction(report);
      return;
    case 'error':
      onError(report);
      return;
  }
}

function onError(report: Extract<Report, { type: 'error' }>): void {
  if (report.stage === 'backend') {
    setStatus('failed', `${choice.backend} is unavailable`);
    // Another backend only if the user says so.
    const others = BACKEND_NAMES.filter((b) => b !== choice.backend && b !== 'tfjs-webgl');
    showError(
      `Backend ${choice.backend} cannot run here. ${report.message}`,
      others.map((b) => [`Fall back to ${b}`, () => useBackend({ backend: b, dtype: 'default' })]),
    );
    return;
  }
  setRunning(false);
  const what = { import: 'Import failed', train: 'Training stopped', command: 'Error' }[
    report.stage
  ];
  showError(`${what}: ${report.message}`);
}

// ─────────────────────────────── the form ───────────────────────────────

function writeForm(form: SettingsForm): void {
  for (const [name, value] of Object.entries(form)) {
    if (name !== 'activations') field(name).value = value as string;
  }
  writeActivations(form.activations);
  showErrors({});
}

/** One σ selector per layer h = 1…L. */
function writeActivations(values: readonly string[]): void {
  $('activations').replaceChildren(
    ...values.map((value, i) => {
      const label = document.createElement('label');
      const select = document.createElement('select');
      select.name = 'activation';
      options(select, ACTIVATION_NAMES);
      select.value = value;
      label.append(
        `σ${i + 1} (layer ${i + 1}${i === values.length - 1 ? ', output' : ''}) `,
        select,
      );
      return label;
    }),
  );
}

function readForm(): SettingsForm {
  const text = (name: string) => field(name).value;
  return {
    task: text('task'),
    dataset: text('dataset'),
    points: text('points'),
    noise: text('noise'),
    dataSeed: text('dataSeed'),
    architecture: text('architecture'),
    activations: [...$('activations').querySelectorAll('select')].map((s) => s.value),
    loss: text('loss'),
    optimizer: text('optimizer'),
    learningRate: text('learningRate'),
    mode: text('mode'),
    batchSize: text('batchSize'),
    seed: text('seed'),
  };
}

/** Each field's reason next to it; the list of them by the Apply button. */
function showErrors(errors: Partial<Record<Field, string>>): void {
  for (const old of settingsForm.querySelectorAll('.field-error')) old.remove();
  for (const input of settingsForm.querySelectorAll('[aria-invalid]'))
    input.removeAttribute('aria-invalid');
  for (const [name, reason] of Object.entries(errors)) {
    const target = name === 'activations' ? $('activations') : field(name);
    target.setAttribute('aria-invalid', 'true');
    const note = document.createElement('small');
    note.className = 'field-error error';
    note.dataset.field = name;
    note.textContent = reason;
    target.after(note);
  }
  const count = Object.keys(errors).length;
  $('form-errors').textContent = count ? `${count} field${count > 1 ? 's' : ''} to fix` : '';
}

function showTask(task: Task): void {
  for (const element of document.querySelectorAll<HTMLElement>('[data-task]')) {
    element.hidden = element.dataset.task !== task;
  }
}

// ─────────────────────────────── training ───────────────────────────────

let running = false;
function setRunning(on: boolean): void {
  running = on;
  $('run').textContent = on ? 'Pause' : 'Run';
}

const percent = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');

function showSnapshot(s: Snapshot): void {
  last = s;
  losses.push(...s.losses);
  const stat = (id: string, text: string, value: number) => {
    const element = $(id);
    element.textContent = text;
    element.dataset.value = String(value);
  };
  stat('epoch', String(s.epoch), s.epoch);
  stat('steps', String(s.steps), s.steps);
  stat('steps-per-second', s.stepsPerSecond.toFixed(0), s.stepsPerSecond);
  const loss = losses.at(-1) ?? Number.NaN;
  stat('loss', Number.isFinite(loss) ? loss.toPrecision(4) : '–', loss);
  stat('train-accuracy', percent(s.trainAccuracy), s.trainAccuracy);
  stat('test-accuracy', percent(s.testAccuracy), s.testAccuracy);
  if (!s.running && running) setRunning(false);
  if (settings.task === 'toy' && points) {
    drawBoundary($<HTMLCanvasElement>('boundary'), s.boundary, points, s.trace.sample);
    drawLossCurve($<HTMLCanvasElement>('loss-curve'), losses);
  }
  $('network').innerHTML = renderNetwork(s.trace);
  $('trace').innerHTML = renderTraceTable(s.trace);
}

function showPrediction(p: Extract<Report, { type: 'prediction' }>): void {
  if (p.label !== undefined) pad.drawPixels(p.pixels);
  drawSaliency($<HTMLCanvasElement>('saliency'), p.saliency, p.pixels);
  const bars = p.probabilities.map(
    (q, digit) =>
      `<div class="bar${digit === p.digit ? ' best' : ''}"><span>${digit}</span><meter min="0" max="1" value="${q}"></meter><span>${(100 * q).toFixed(1)}%</span></div>`,
  );
  const truth = p.label === undefined ? '' : ` (label ${p.label})`;
  const prediction = $('prediction');
  prediction.dataset.digit = String(p.digit);
  prediction.innerHTML = `<p>predicted <strong>${p.digit}</strong>${truth}</p>${bars.join('')}`;
  $('network').innerHTML = renderNetwork(p.trace);
  $('trace').innerHTML = renderTraceTable(p.trace);
}

function download(json: string): void {
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `twostep-${settings.task}-model.json`;
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
  options(field('dataset') as HTMLSelectElement, TOY_DATASETS);
  options(field('loss') as HTMLSelectElement, LOSS_NAMES);
  options(field('optimizer') as HTMLSelectElement, OPTIMIZERS);

  $('backend-form').addEventListener('change', () => {
    switchBackend({
      backend: $<HTMLSelectElement>('backend').value as BackendChoice['backend'],
      dtype: $<HTMLSelectElement>('dtype').value as BackendChoice['dtype'],
    });
  });
  field('task').addEventListener('change', () => {
    const task = field('task').value as Task;
    if (task in DEFAULTS) writeForm(toForm(DEFAULTS[task]));
  });
  field('architecture').addEventListener('input', () => {
    const form = readForm();
    const checked = checkSettings(form);
    const widths = form.architecture.match(/\d+/g)?.map(Number) ?? [];
    if (widths.length >= 2 && (checked.ok || !checked.errors.architecture)) {
      writeActivations(activationsFor(widths, form.activations));
    }
  });
  settingsForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const checked = checkSettings(readForm());
    if (!checked.ok) {
      showErrors(checked.errors);
      return;
    }
    showErrors({});
    hideError();
    settings = checked.settings;
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
  $('export').addEventListener('click', () => send({ type: 'export' }));
  $<HTMLInputElement>('import').addEventListener('change', async (event) => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    hideError();
    send({ type: 'import', json: await file.text() });
    input.value = '';
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
