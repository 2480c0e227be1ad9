/**
 * The paper's Section 4: A[1,N1,1] with N1 = 1 (4.1) and N1 = 2 (4.2), bias on, the same σ in
 * both layers and J(f(x), y) = f(x) − y, every quantity by the differential calculus rules
 * on numbers. The two-step rule must reproduce them: the closed forms are what its F-adjoint
 * is checked against, apart from fPropagate and fAdjoint.
 */

/** σ and σ′ of one activation, on numbers. */
export interface SectionFourSigma {
  readonly sigma: (t: number) => number;
  readonly sigmaPrime: (t: number) => number;
}

const logistic = (t: number) => 1 / (1 + Math.exp(-t));

/** The σ of the checks, with σ′ written out (not taken from the core's activations). */
export const SECTION_FOUR_SIGMAS = {
  sigmoid: { sigma: logistic, sigmaPrime: (t) => logistic(t) * (1 - logistic(t)) },
  tanh: { sigma: Math.tanh, sigmaPrime: (t) => 1 / Math.cosh(t) ** 2 },
} as const satisfies Record<string, SectionFourSigma>;

/** Every quantity of Section 4 for one x and y. Layer 1 has N1 genuine neurons. */
export interface SectionFour {
  /** Y1 = (y1_11, …, y1_N1 1), y1_i1 = α1_i1 x + α1_i2. */
  readonly Y1: number[];
  /** X1 = (σ(Y1), 1): the formal neuron last (Remark 1). */
  readonly X1: number[];
  /** Y2 = y2 = Σ α2_i σ(y1_i1) + α2_(N1+1). */
  readonly Y2: number;
  /** X2 = σ(y2) = f(x). */
  readonly X2: number;
  /** J = f(x) − y. */
  readonly J: number;
  /** δup_2 = ∂J/∂X2 = 1. */
  readonly deltaUp2: number;
  /** δdown_2 = δup_2 σ′(y2) = σ′(y2). */
  readonly deltaDown2: number;
  /** δup_1 = (W♯2)ᵀ δdown_2 = (α2_i σ′(y2)). */
  readonly deltaUp1: number[];
  /** δdown_1 = δup_1 ⊙ σ′(Y1) = (α2_i σ′(y2) σ′(y1_i1)). */
  readonly deltaDown1: number[];
  /** δW1, row i = (α2_i x σ′(y1_i1) σ′(y2), α2_i σ′(y1_i1) σ′(y2)). */
  readonly deltaW1: number[][];
  /** δW2 = (σ′(y2) σ(y1_11), …, σ′(y2)), one row. */
  readonly deltaW2: number[][];
  /** δup_0 = (W♯1)ᵀ δdown_1 = Σ α1_i1 δdown_1,i = ∂J/∂x. */
  readonly deltaUp0: number;
}

/**
 * Section 4's closed forms for W1 = (α1_ij), N1 × 2, and W2 = (α2_i), 1 × (N1 + 1), as
 * `getWeights()` lays them out (bias last).
 */
export function sectionFour(
  { sigma, sigmaPrime }: SectionFourSigma,
  W1: readonly (readonly number[])[],
  W2: readonly (readonly number[])[],
  x: number,
  y: number,
): SectionFour {
  const a = W2[0] ?? [];
  if (W1.length === 0 || W1.some((row) => row.length !== 2) || a.length !== W1.length + 1) {
    throw new RangeError(
      `sectionFour: W1 must be N1 × 2 and W2 1 × (N1 + 1), got ${W1.length} × ${W1[0]?.length} and ${W2.length} × ${a.length}.`,
    );
  }
  const n = W1.length;
  const Y1 = W1.map(([slope, bias]) => slope! * x + bias!);
  const Y2 = Y1.reduce((sum, v, i) => sum + a[i]! * sigma(v), 0) + a[n]!;
  const d2 = sigmaPrime(Y2);
  const deltaUp1 = Y1.map((_, i) => a[i]! * d2);
  const deltaDown1 = Y1.map((v, i) => deltaUp1[i]! * sigmaPrime(v));
  return {
    Y1,
    X1: [...Y1.map(sigma), 1],
    Y2,
    X2: sigma(Y2),
    J: sigma(Y2) - y,
    deltaUp2: 1,
    deltaDown2: d2,
    deltaUp1,
    deltaDown1,
    // Multiplied in the order the paper prints them.
    deltaW1: Y1.map((v, i) => [a[i]! * x * sigmaPrime(v) * d2, a[i]! * sigmaPrime(v) * d2]),
    deltaW2: [[...Y1.map((v) => d2 * sigma(v)), d2]],
    deltaUp0: W1.reduce((sum, row, i) => sum + row[0]! * deltaDown1[i]!, 0),
  };
}
