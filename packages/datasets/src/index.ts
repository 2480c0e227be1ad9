export { iris } from './iris.js';
export { argmax, type Labelled, labelled, type SplitOptions, split } from './labelled.js';
export { circles, moons, type Point, spirals, type ToyOptions, xor } from './toy.js';
