/**
 * A run's epoch losses in bounded memory, for the loss curve. A fast backend on a toy task
 * trains about a thousand epochs a second, so a run left open would otherwise grow without end
 * (and the page would draw every epoch on each snapshot). Each point is the mean loss of
 * `epochsPerPoint` consecutive epochs; when CAPACITY points are full, each pair becomes its
 * mean and `epochsPerPoint` doubles.
 */

/** The most points a curve holds (a few per pixel of the plot). */
export const CAPACITY = 1024;

/** What a snapshot carries of the curve. */
export interface LossCurveView {
  /** Mean loss of each run of `epochsPerPoint` epochs; the last may stand for fewer. */
  readonly points: readonly number[];
  readonly epochsPerPoint: number;
  /** Epochs recorded. */
  readonly epochs: number;
  /** The latest epoch's loss (NaN before the first). */
  readonly last: number;
}

export class LossCurve {
  #points: number[] = [];
  #epochsPerPoint = 1;
  #epochs = 0;
  #last = Number.NaN;
  /** The point being filled: the sum and count of its epochs so far. */
  #sum = 0;
  #count = 0;

  push(loss: number): void {
    this.#epochs++;
    this.#last = loss;
    this.#sum += loss;
    this.#count++;
    if (this.#count < this.#epochsPerPoint) return;
    this.#points.push(this.#sum / this.#count);
    this.#sum = 0;
    this.#count = 0;
    if (this.#points.length < CAPACITY) return;
    // Pairs to their means: CAPACITY / 2 points of twice the epochs each.
    const points = this.#points;
    this.#points = [];
    for (let i = 0; i < points.length; i += 2) this.#points.push((points[i]! + points[i + 1]!) / 2);
    this.#epochsPerPoint *= 2;
  }

  view(): LossCurveView {
    return {
      points: this.#count > 0 ? [...this.#points, this.#sum / this.#count] : [...this.#points],
      epochsPerPoint: this.#epochsPerPoint,
      epochs: this.#epochs,
      last: this.#last,
    };
  }
}
