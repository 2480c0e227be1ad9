/**
 * What the worker reports, drawn: a snapshot's numbers, plots and network, and a prediction's
 * bars, saliency map and network. Drawing only; what is kept between reports is main.ts's.
 */
import { renderNetwork, renderTraceTable } from './network-view.js';
import { $ } from './page.js';
import { drawBoundary, drawLossCurve } from './plots.js';
import type { Report, Snapshot } from './protocol.js';
import { drawSaliency } from './saliency.js';

/** The toy task's points, as the worker sends them once configured. */
export type Points = NonNullable<Extract<Report, { type: 'configured' }>['points']>;

const percent = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');

/**
 * The snapshot's numbers (each value also in `data-value`), its last epoch's loss, the decision
 * boundary and loss curve when there are toy `points`, and the sample's trace.
 */
export function showSnapshot(s: Snapshot, points?: Points): void {
  const stat = (id: string, text: string, value: number) => {
    const element = $(id);
    element.textContent = text;
    element.dataset.value = String(value);
  };
  stat('epoch', String(s.epoch), s.epoch);
  stat('steps', String(s.steps), s.steps);
  stat('steps-per-second', s.stepsPerSecond.toFixed(0), s.stepsPerSecond);
  const loss = s.losses.last;
  stat('loss', Number.isFinite(loss) ? loss.toPrecision(4) : '–', loss);
  stat('train-accuracy', percent(s.trainAccuracy), s.trainAccuracy);
  stat('test-accuracy', percent(s.testAccuracy), s.testAccuracy);
  if (points) {
    drawBoundary($<HTMLCanvasElement>('boundary'), s.boundary, points, s.trace.sample);
    drawLossCurve($<HTMLCanvasElement>('loss-curve'), s.losses);
  }
  $('network').innerHTML = renderNetwork(s.trace);
  $('trace').innerHTML = renderTraceTable(s.trace);
}

export function showPrediction(p: Extract<Report, { type: 'prediction' }>): void {
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
