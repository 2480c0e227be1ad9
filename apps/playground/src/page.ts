/**
 * The page's elements by id, and its two messages to the user: the status line (which
 * backend and how many threads, loading or failed) and the error banner with what the user may
 * do about it.
 */
export const $ = <T extends HTMLElement = HTMLElement>(id: string) =>
  document.getElementById(id) as T;

export const options = (select: HTMLSelectElement, values: readonly string[]) => {
  select.replaceChildren(...values.map((v) => new Option(v, v)));
};

/** The status line; `threads`, when the backend counts them, also as `data-threads`. */
export function setStatus(
  state: 'loading' | 'ready' | 'failed',
  text: string,
  threads?: number,
): void {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = text;
  if (threads === undefined) delete status.dataset.threads;
  else status.dataset.threads = String(threads);
}

/** An error in the banner, with buttons for what the user may do about it. */
export function showError(message: string, actions: [label: string, act: () => void][] = []): void {
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

export const hideError = () => {
  $('banner').hidden = true;
};
