/**
 * The settings form: settings written into its fields and its text read back, each field's
 * reason shown next to it, one σ selector per layer as the architecture changes, and only the
 * chosen task's panels shown. Apply hands the checked settings on; it sends nothing itself.
 */
import { ACTIVATION_NAMES, LOSS_NAMES } from '@twostep/core';
import { TOY_DATASETS } from './datasets.js';
import { $, options } from './page.js';
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

const settingsForm = $<HTMLFormElement>('settings');
const field = (name: string) =>
  settingsForm.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;

export function writeForm(form: SettingsForm): void {
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

export function showTask(task: Task): void {
  for (const element of document.querySelectorAll<HTMLElement>('[data-task]')) {
    element.hidden = element.dataset.task !== task;
  }
}

/**
 * Fills the form's lists and listens to it: a task brings its defaults, an architecture its σ
 * selectors, and Apply hands the settings to `apply` once every field checks.
 */
export function wireSettingsForm(apply: (settings: Settings) => void): void {
  options(field('dataset') as HTMLSelectElement, TOY_DATASETS);
  options(field('loss') as HTMLSelectElement, LOSS_NAMES);
  options(field('optimizer') as HTMLSelectElement, OPTIMIZERS);

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
    apply(checked.settings);
  });
}
